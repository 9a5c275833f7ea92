/**
 * The Deal-Seeker bundle discount: a real basic CODE discount in Shopify (percentage off once the cart holds two
 * or more items, combining with nothing, each code good for ONE order), created the first time the play is on and
 * kept in sync with its settings (percentage; active while the play is on, paused while off). It never exceeds the
 * merchant's cap: the cap is checked here again, not only in the form.
 *
 * Shoppers never get the discount's own code: the app adds single-use redeem codes to it in bulk and hands one to
 * each treated visitor who was shown the offer (bundleCodes.server.ts, routes/apps.proxy.bundle.tsx).
 * `usageLimit: 1` applies to each redeem code separately on Shopify, so a code that travels buys one order.
 *
 * Why a code and not an automatic discount: an automatic discount applies to every cart that meets its minimum —
 * every shopper with two items, the holdout group included — which gives margin away and hides the play's real
 * lift. Shops that still have the earlier automatic discount get it paused and replaced by the code discount.
 *
 * What real Shopify applies: this basic discount takes the percentage off every item of the holder's 2+ item cart.
 * Limiting it to the bundle's own lines needs the discount Function (app/lib/discounts/bundleFunction.ts, source in
 * functions/recovery-plays-discount), which is not deployed: its WASM build needs downloads CI cannot make.
 */
import { randomInt } from "node:crypto";
import type { DealSeekerSettings } from "../lib/plays/types";
import { adminGraphql, assertNoUserErrors, AdminApiError, type AdminGraphqlClient } from "./adminData.server";
import { expireBundleCodes, refillBundleCodes } from "./bundleCodes.server";
import { setDiscount } from "./plays.server";

const CREATE = `#graphql
  mutation RecoveryPlaysBundleCreate($discount: DiscountCodeBasicInput!) {
    discountCodeBasicCreate(basicCodeDiscount: $discount) {
      codeDiscountNode { id }
      userErrors { field message code }
    }
  }`;

const UPDATE = `#graphql
  mutation RecoveryPlaysBundleUpdate($id: ID!, $discount: DiscountCodeBasicInput!) {
    discountCodeBasicUpdate(id: $id, basicCodeDiscount: $discount) {
      codeDiscountNode { id }
      userErrors { field message code }
    }
  }`;

const ACTIVATE = `#graphql
  mutation RecoveryPlaysBundleActivate($id: ID!) {
    discountCodeActivate(id: $id) {
      codeDiscountNode { id }
      userErrors { field message code }
    }
  }`;

const DEACTIVATE = `#graphql
  mutation RecoveryPlaysBundleDeactivate($id: ID!) {
    discountCodeDeactivate(id: $id) {
      codeDiscountNode { id }
      userErrors { field message code }
    }
  }`;

/** Pauses the automatic discount earlier versions created (replaced by the code discount). */
const RETIRE_AUTOMATIC = `#graphql
  mutation RecoveryPlaysBundleRetireAutomatic($id: ID!) {
    discountAutomaticDeactivate(id: $id) {
      automaticDiscountNode { id }
      userErrors { field message }
    }
  }`;

type UserError = { field?: string[] | null; message: string; code?: string | null };
type Payload = { codeDiscountNode: { id: string } | null; userErrors: UserError[] };

/** The discount title shoppers see on the cart/checkout line (also published for the storefront copy). */
export function bundleDiscountTitle(percent: number): string {
  return `Bundle & Save ${percent}%`;
}

// No 0/O/1/I: a shopper may read the code aloud to support.
const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/** A fresh code: BUNDLE- and 10 random characters (≈ 50 bits), so it cannot be guessed from another shop's. */
export function newBundleCode(): string {
  let s = "BUNDLE-";
  for (let i = 0; i < 10; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return s;
}

/**
 * Shopify input for the bundle: percentage off every item once the cart holds at least two items, for all
 * buyers, combining with no other discount (one intervention, never stacked), one order per code.
 */
export function bundleDiscountInput(settings: Pick<DealSeekerSettings, "discountPercent" | "discountCapPercent">, startsAt: Date, code: string) {
  if (!(settings.discountPercent >= 0) || settings.discountPercent > settings.discountCapPercent) {
    throw new AdminApiError(`Bundle discount ${settings.discountPercent}% is above the cap of ${settings.discountCapPercent}%`);
  }
  return {
    title: bundleDiscountTitle(settings.discountPercent),
    code,
    startsAt: startsAt.toISOString(),
    context: { all: "ALL" },
    customerGets: { value: { percentage: Math.round(settings.discountPercent * 100) / 10000 }, items: { all: true } },
    minimumRequirement: { quantity: { greaterThanOrEqualToQuantity: "2" } },
    combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: false },
    usageLimit: 1,
    tags: ["recovery-plays"],
  };
}

export interface DiscountSyncResult {
  discountId: string | null;
  title: string | null;
  active: boolean;
}

const isCodeDiscount = (id: string | null): id is string => !!id && id.includes("/DiscountCodeNode/");
const notFound = (errors: UserError[]) => errors.length > 0 && errors.every((e) => /not exist|not found|could not be found/i.test(e.message));

/**
 * Brings Shopify in line with the Deal-Seeker play: creates the code discount on first enable, updates its
 * percentage, activates/pauses it with the play, then tops up the pool of single-use codes while it is active.
 * A play that was never on creates nothing.
 */
export async function syncBundleDiscount(
  shop: string,
  admin: AdminGraphqlClient,
  play: { enabled: boolean; settings: DealSeekerSettings; discountId: string | null; discountCode: string | null },
): Promise<DiscountSyncResult> {
  const result = await syncDiscountOnly(shop, admin, play);
  if (result.active) await refillPool(shop, admin);
  return result;
}

/** A failed refill leaves the discount synced; the 5-minute upkeep refills again. */
async function refillPool(shop: string, admin: AdminGraphqlClient): Promise<void> {
  try {
    await refillBundleCodes(shop, admin);
  } catch (err) {
    if (err instanceof Response) throw err;
    console.error("[bundle-codes] refill failed", { shop, error: err instanceof Error ? err.message : String(err) });
  }
}

async function syncDiscountOnly(
  shop: string,
  admin: AdminGraphqlClient,
  play: { enabled: boolean; settings: DealSeekerSettings; discountId: string | null; discountCode: string | null },
): Promise<DiscountSyncResult> {
  const title = bundleDiscountTitle(play.settings.discountPercent);
  // 0 % means "the bundle without a discount" (Shopify refuses a 0 % discount): nothing is created, an existing
  // discount is paused.
  const active = play.enabled && play.settings.discountPercent > 0;
  if (play.discountId && !isCodeDiscount(play.discountId)) {
    // An automatic discount from an earlier version: pause it (gone already is fine), then continue without it.
    const r = await adminGraphql<{ discountAutomaticDeactivate: { userErrors: UserError[] } }>(admin, RETIRE_AUTOMATIC, { id: play.discountId });
    if (!notFound(r.discountAutomaticDeactivate.userErrors)) assertNoUserErrors(r.discountAutomaticDeactivate.userErrors);
    await setDiscount(shop, "deal_seeker", null, null);
    return syncDiscountOnly(shop, admin, { ...play, discountId: null, discountCode: null });
  }
  if (!play.discountId || !play.discountCode) {
    if (!active) return { discountId: null, title: null, active: false };
    // A taken code (another discount of the shop has it) gets one more fresh draw.
    for (let attempt = 0; ; attempt++) {
      const code = newBundleCode();
      const data = await adminGraphql<{ discountCodeBasicCreate: Payload }>(admin, CREATE, { discount: bundleDiscountInput(play.settings, new Date(), code) });
      const errors = data.discountCodeBasicCreate.userErrors;
      if (attempt === 0 && errors.some((e) => e.code === "TAKEN")) continue;
      assertNoUserErrors(errors);
      const id = data.discountCodeBasicCreate.codeDiscountNode?.id;
      if (!id) throw new AdminApiError("Shopify did not return the created discount");
      await setDiscount(shop, "deal_seeker", id, code);
      return { discountId: id, title, active: true };
    }
  }
  if (play.settings.discountPercent > 0) {
    const { startsAt: _keepOriginalStart, ...update } = bundleDiscountInput(play.settings, new Date(), play.discountCode);
    const data = await adminGraphql<{ discountCodeBasicUpdate: Payload }>(admin, UPDATE, { id: play.discountId, discount: update });
    const errors = data.discountCodeBasicUpdate.userErrors;
    if (notFound(errors)) {
      // The merchant deleted the discount in Shopify: forget it and create a fresh one (only while the play is on).
      await setDiscount(shop, "deal_seeker", null, null);
      return syncDiscountOnly(shop, admin, { ...play, discountId: null, discountCode: null });
    }
    assertNoUserErrors(errors);
  }
  if (active) {
    const a = await adminGraphql<{ discountCodeActivate: Payload }>(admin, ACTIVATE, { id: play.discountId });
    assertNoUserErrors(a.discountCodeActivate.userErrors);
  } else {
    const d = await adminGraphql<{ discountCodeDeactivate: Payload }>(admin, DEACTIVATE, { id: play.discountId });
    assertNoUserErrors(d.discountCodeDeactivate.userErrors);
  }
  return { discountId: play.discountId, title, active };
}

/**
 * Replaces the bundle discount (the merchant's "Replace code" after leaks, see `bundleCodeLeaks`): the old code
 * discount is paused with all its single-use codes (Shopify keeps its history and reports) and, while the play is
 * on, a fresh discount with a fresh pool takes over. The storefront and checkout ask the app for a code on every
 * accepted offer, so nothing needs republishing.
 */
export async function replaceBundleCode(
  shop: string,
  admin: AdminGraphqlClient,
  play: { enabled: boolean; settings: DealSeekerSettings; discountId: string | null; discountCode: string | null },
): Promise<DiscountSyncResult> {
  // A legacy automatic discount has no code to leak: the regular sync retires it.
  if (!isCodeDiscount(play.discountId)) return syncBundleDiscount(shop, admin, play);
  const d = await adminGraphql<{ discountCodeDeactivate: Payload }>(admin, DEACTIVATE, { id: play.discountId });
  if (!notFound(d.discountCodeDeactivate.userErrors)) assertNoUserErrors(d.discountCodeDeactivate.userErrors);
  await setDiscount(shop, "deal_seeker", null, null);
  // Its single-use codes died with it: never handed out again.
  await expireBundleCodes(shop, null);
  return syncBundleDiscount(shop, admin, { ...play, discountId: null, discountCode: null });
}
