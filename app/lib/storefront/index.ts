/**
 * Browser entry of the theme app embed (bundled to extensions/recovery-plays-theme/assets/recovery-plays.js).
 * `rp-scorer` is resolved by scripts/build-extensions.ts to the storefront scorer (app/lib/propensity/score.ts).
 */
import { scorePropensity } from "rp-scorer";
import { startEmbed, type EmbedBoot } from "./embed";

const node = document.getElementById("rp-boot");
if (node && !(window as unknown as { __rpStarted?: boolean }).__rpStarted) {
  (window as unknown as { __rpStarted?: boolean }).__rpStarted = true;
  try {
    startEmbed(JSON.parse(node.textContent || "") as EmbedBoot, scorePropensity);
  } catch {
    // A broken boot payload must never break the storefront: the embed just stays inactive.
  }
}
