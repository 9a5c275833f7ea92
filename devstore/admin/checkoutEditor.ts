// The checkout editor stand-in at /admin/settings/checkout/editor, so the setup guide's link opens in the local demo.
// Shopify's checkout is not emulated: the page lists the app's checkout extension targets and which of them the
// shop's plan can show (checkout-step targets need Shopify Plus; Thank you / Order status targets work on every plan
// except Starter — shopify.dev/docs/api/checkout-ui-extensions and shopify.dev/docs/api/checkout-extensions).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "smol-toml";
import type { DevShop } from "../types";

export interface CheckoutTarget {
  target: string;
  module: string;
  /** Plus only: every purchase.checkout.* target (information, shipping and payment steps). */
  plusOnly: boolean;
}

export function checkoutTargets(tomlPath = path.join(process.cwd(), "extensions/recovery-plays-checkout/shopify.extension.toml")): CheckoutTarget[] {
  if (!existsSync(tomlPath)) return [];
  const toml = parse(readFileSync(tomlPath, "utf8")) as { extensions?: { targeting?: { target?: unknown; module?: unknown }[] }[] };
  return (toml.extensions ?? []).flatMap((e) =>
    (e.targeting ?? []).map((t) => {
      const target = String(t.target ?? "");
      return { target, module: String(t.module ?? ""), plusOnly: target.startsWith("purchase.checkout.") };
    }),
  );
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderCheckoutEditor(shop: DevShop, targets: CheckoutTarget[] = checkoutTargets()): string {
  const plus = shop.plan === "plus";
  const rows = targets
    .map((t) => {
      const shown = plus || !t.plusOnly;
      return `<li data-target="${esc(t.target)}" data-available="${shown}"><code>${esc(t.target)}</code> — ${t.plusOnly ? "checkout step, Shopify Plus only" : "Thank you page, every plan except Starter"}: ${shown ? "available on this plan" : "not available on this plan"}</li>`;
    })
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Checkout editor (dev store)</title><link rel="icon" href="data:,"></head><body>
<h1>Checkout editor (dev store stand-in)</h1>
<p>Plan: ${esc(shop.plan)}. The local dev store does not emulate Shopify checkout; on Shopify, place the blocks here.</p>
<h2>The app's checkout targets</h2><ul>${rows}</ul></body></html>`;
}
