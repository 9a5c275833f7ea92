/**
 * Browser entry of the theme app embed (bundled to extensions/recovery-plays-theme/assets/recovery-plays.js). The
 * scorer and the rarely needed UI come from ./lazy, loaded by the embed when needed.
 */
import { startEmbed, type EmbedBoot } from "./embed";

const node = document.getElementById("rp-boot");
if (node && !(window as unknown as { __rpStarted?: boolean }).__rpStarted) {
  (window as unknown as { __rpStarted?: boolean }).__rpStarted = true;
  try {
    startEmbed(JSON.parse(node.textContent || "") as EmbedBoot);
  } catch {
    // A broken boot payload must never break the storefront: the embed just stays inactive.
  }
}
