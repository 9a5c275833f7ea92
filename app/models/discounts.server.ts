/**
 * The Deal-Seeker bundle discount: a real automatic discount in Shopify, created the first time the play is on and
 * kept in sync with its settings (percentage, active while the play is on, paused while off). It never exceeds the
 * merchant's cap: the cap is checked here again, not only in the form.
 */
import type { DealSeekerSettings } from "../lib/plays/types";
import { adminGraphql, assertNoUserErrors, AdminApiError, type AdminGraphqlClient } from "./adminData.server";
import { setDiscountId } from "./plays.server";

const CREATE = `#graphql
  mutation RecoveryPlaysBundleCreate($discount: DiscountAutomaticBasicInput!) {
    discountAutomaticBasicCreate(automaticBasicDiscount: $discount) {
      automaticDiscountNode { id }
      userErrors { field message }
    }
  }`;

const UPDATE = `#graphql
  mutation RecoveryPlaysBundleUpdate($id: ID!, $discount: DiscountAutomaticBasicInput!) {
    discountAutomaticBasicUpdate(id: $id, automaticBasicDiscount: $discount) {
      automaticDiscountNode { id }
      userErrors { field message }
    }
  }`;

const ACTIVATE = `#graphql
  mutation RecoveryPlaysBundleActivate($id: ID!) {
    discountAutomaticActivate(id: $id) {
      automaticDiscountNode { id }
      userErrors { field message }
    }
  }`;

const DEACTIVATE = `#graphql
  mutation RecoveryPlaysBundleDeactivate($id: ID!) {
    discountAutomaticDeactivate(id: $id) {
      automaticDiscountNode { id }
      userErrors { field message }
    }
  }`;

type Payload = { automaticDiscountNode: { id: string } | null; userErrors: { field?: string[] | null; message: string }[] };

/** The discount title shoppers see on the cart/checkout line (also published for the storefront copy). */
export function bundleDiscountTitle(percent: number): string {
  return `Bundle & Save ${percent}%`;
}

/**
 * Shopify input for the bundle: percentage off (Shopify takes a 0–1 fraction) on every item once the cart holds at
 * least two items, combining with no other discount (one intervention, never stacked).
 */
export function bundleDiscountInput(settings: Pick<DealSeekerSettings, "discountPercent" | "discountCapPercent">, startsAt: Date) {
  if (!(settings.discountPercent >= 0) || settings.discountPercent > settings.discountCapPercent) {
    throw new AdminApiError(`Bundle discount ${settings.discountPercent}% is above the cap of ${settings.discountCapPercent}%`);
  }
  return {
    title: bundleDiscountTitle(settings.discountPercent),
    startsAt: startsAt.toISOString(),
    customerGets: { value: { percentage: Math.round(settings.discountPercent * 100) / 10000 }, items: { all: true } },
    minimumRequirement: { quantity: { greaterThanOrEqualToQuantity: "2" } },
    combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: false },
  };
}

export interface DiscountSyncResult {
  discountId: string | null;
  title: string | null;
  active: boolean;
}

/**
 * Brings Shopify in line with the Deal-Seeker play: creates the discount on first enable, updates its percentage,
 * activates/pauses it with the play. A play that was never on creates nothing.
 */
export async function syncBundleDiscount(
  shop: string,
  admin: AdminGraphqlClient,
  play: { enabled: boolean; settings: DealSeekerSettings; discountId: string | null },
): Promise<DiscountSyncResult> {
  const input = bundleDiscountInput(play.settings, new Date());
  const title = input.title;
  if (!play.discountId) {
    if (!play.enabled) return { discountId: null, title: null, active: false };
    const data = await adminGraphql<{ discountAutomaticBasicCreate: Payload }>(admin, CREATE, { discount: input });
    assertNoUserErrors(data.discountAutomaticBasicCreate.userErrors);
    const id = data.discountAutomaticBasicCreate.automaticDiscountNode?.id;
    if (!id) throw new AdminApiError("Shopify did not return the created discount");
    await setDiscountId(shop, "deal_seeker", id);
    return { discountId: id, title, active: true };
  }
  const { startsAt: _keepOriginalStart, ...update } = input;
  const data = await adminGraphql<{ discountAutomaticBasicUpdate: Payload }>(admin, UPDATE, { id: play.discountId, discount: update });
  const errors = data.discountAutomaticBasicUpdate.userErrors;
  if (errors.length && errors.every((e) => /not exist|not found|could not be found/i.test(e.message))) {
    // The merchant deleted the discount in Shopify: forget it and create a fresh one (only while the play is on).
    await setDiscountId(shop, "deal_seeker", null);
    return syncBundleDiscount(shop, admin, { ...play, discountId: null });
  }
  assertNoUserErrors(errors);
  if (play.enabled) {
    const a = await adminGraphql<{ discountAutomaticActivate: Payload }>(admin, ACTIVATE, { id: play.discountId });
    assertNoUserErrors(a.discountAutomaticActivate.userErrors);
  } else {
    const d = await adminGraphql<{ discountAutomaticDeactivate: Payload }>(admin, DEACTIVATE, { id: play.discountId });
    assertNoUserErrors(d.discountAutomaticDeactivate.userErrors);
  }
  return { discountId: play.discountId, title, active: play.enabled };
}
