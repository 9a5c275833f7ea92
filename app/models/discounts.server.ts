/**
 * The Deal-Seeker bundle discount: a real CODE discount in Shopify (combining with nothing, each code good for ONE
 * order), created the first time the play is on and kept in sync with its settings (percentage; active while the
 * play is on, paused while off). It never exceeds the merchant's cap: the cap is checked here again, not only in
 * the form.
 *
 * Which discount: an app discount (`discountCodeAppCreate`) run by the app's discount Function
 * (functions/recovery-plays-discount, logic in app/lib/discounts/bundleFunction.ts), which takes the percentage
 * off only the cart lines the storefront and checkout tagged as the bundle (`_rp_bundle`), never above the cap it
 * reads from the discount's metafield. Where the Function is not deployed Shopify answers "Function not found."
 * and the app falls back to a basic code discount (percentage off every item once the cart holds two or more);
 * the play page says which one the shop has (`bundleDiscountScope`). A basic discount stays until the merchant's
 * "Replace code", which asks for the Function again.
 *
 * Shoppers never get the discount's own code: the app adds single-use redeem codes to it in bulk and hands one to
 * each treated visitor who was shown the offer (bundleCodes.server.ts, routes/apps.proxy.bundle.tsx).
 * `usageLimit: 1` applies to each redeem code separately on Shopify, so a code that travels buys one order.
 *
 * Why a code and not an automatic discount: an automatic discount applies to every cart that meets its minimum —
 * every shopper with two items, the holdout group included — which gives margin away and hides the play's real
 * lift. Shops that still have the earlier automatic discount get it paused and replaced by the code discount.
 */
import { randomInt } from "node:crypto";
import { BUNDLE_FUNCTION_HANDLE, BUNDLE_FUNCTION_METAFIELD, type BundleFunctionConfig } from "../lib/discounts/bundleFunction";
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

const CREATE_APP = `#graphql
  mutation RecoveryPlaysBundleAppCreate($discount: DiscountCodeAppInput!) {
    discountCodeAppCreate(codeAppDiscount: $discount) {
      codeAppDiscount { discountId }
      userErrors { field message code }
    }
  }`;

const UPDATE_APP = `#graphql
  mutation RecoveryPlaysBundleAppUpdate($id: ID!, $discount: DiscountCodeAppInput!) {
    discountCodeAppUpdate(id: $id, codeAppDiscount: $discount) {
      codeAppDiscount { discountId }
      userErrors { field message code }
    }
  }`;

/** Which kind of code discount the stored id is (basic or app): each has its own update mutation. */
const KIND = `#graphql
  query RecoveryPlaysBundleKind($id: ID!) {
    discountNode(id: $id) { discount { __typename } }
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
type AppPayload = { codeAppDiscount: { discountId: string } | null; userErrors: UserError[] };

/** What the shop's bundle code takes off: only the bundle's lines (the Function) or every item of the cart. */
export type BundleDiscountKind = "bundle_lines" | "whole_cart";

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

/**
 * The app discount's input: the Function takes `percent` off the tagged bundle lines, capped by `capPercent`
 * (both in the discount's metafield, which the Function's input query reads); code, buyers, combinations and the
 * per-code usage limit as for the basic discount.
 */
export function bundleAppDiscountInput(settings: Pick<DealSeekerSettings, "discountPercent" | "discountCapPercent">, startsAt: Date, code: string) {
  const { customerGets: _value, minimumRequirement: _minimum, ...common } = bundleDiscountInput(settings, startsAt, code);
  const config: BundleFunctionConfig = { percent: settings.discountPercent, capPercent: settings.discountCapPercent };
  return {
    ...common,
    functionHandle: BUNDLE_FUNCTION_HANDLE,
    discountClasses: ["PRODUCT"],
    metafields: [{ namespace: BUNDLE_FUNCTION_METAFIELD.namespace, key: BUNDLE_FUNCTION_METAFIELD.key, type: "json", value: JSON.stringify(config) }],
  };
}

/** Shopify's answer when the app's Function is not deployed on the shop ("Function not found."). */
const functionMissing = (errors: UserError[]) =>
  errors.length > 0 && errors.some((e) => /function not found/i.test(e.message) || (e.field ?? []).some((f) => f === "functionHandle" || f === "functionId"));

export interface DiscountSyncResult {
  discountId: string | null;
  title: string | null;
  active: boolean;
  /** What the code takes off; null without a discount. */
  kind?: BundleDiscountKind | null;
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
    if (!active) return { discountId: null, title: null, active: false, kind: null };
    const created = await createBundleDiscount(admin, play.settings);
    await setDiscount(shop, "deal_seeker", created.id, created.code);
    return { discountId: created.id, title, active: true, kind: created.kind };
  }
  const kind = await discountKind(admin, play.discountId);
  const errors = kind === null ? null : play.settings.discountPercent > 0 ? await updateBundleDiscount(admin, play.discountId, kind, play.settings, play.discountCode) : [];
  if (errors === null || notFound(errors)) {
    // The merchant deleted the discount in Shopify: forget it and create a fresh one (only while the play is on).
    await setDiscount(shop, "deal_seeker", null, null);
    return syncDiscountOnly(shop, admin, { ...play, discountId: null, discountCode: null });
  }
  assertNoUserErrors(errors);
  if (active) {
    const a = await adminGraphql<{ discountCodeActivate: Payload }>(admin, ACTIVATE, { id: play.discountId });
    assertNoUserErrors(a.discountCodeActivate.userErrors);
  } else {
    const d = await adminGraphql<{ discountCodeDeactivate: Payload }>(admin, DEACTIVATE, { id: play.discountId });
    assertNoUserErrors(d.discountCodeDeactivate.userErrors);
  }
  return { discountId: play.discountId, title, active, kind };
}

/**
 * Creates the bundle discount: the app discount run by the Function, or where Shopify does not know the Function
 * (not deployed on this shop) the basic one.
 */
async function createBundleDiscount(
  admin: AdminGraphqlClient,
  settings: DealSeekerSettings,
): Promise<{ id: string; code: string; kind: BundleDiscountKind }> {
  const app = await withFreshCode(async (code) => {
    const data = await adminGraphql<{ discountCodeAppCreate: AppPayload }>(admin, CREATE_APP, { discount: bundleAppDiscountInput(settings, new Date(), code) });
    return { id: data.discountCodeAppCreate.codeAppDiscount?.discountId, errors: data.discountCodeAppCreate.userErrors };
  });
  if (!functionMissing(app.errors)) return created(app, "bundle_lines");
  console.warn("[discounts] the bundle discount Function is not deployed on this shop: using a whole-cart code", { errors: app.errors });
  const basic = await withFreshCode(async (code) => {
    const data = await adminGraphql<{ discountCodeBasicCreate: Payload }>(admin, CREATE, { discount: bundleDiscountInput(settings, new Date(), code) });
    return { id: data.discountCodeBasicCreate.codeDiscountNode?.id, errors: data.discountCodeBasicCreate.userErrors };
  });
  return created(basic, "whole_cart");
}

type CreateAttempt = { code: string; id: string | undefined; errors: UserError[] };

/** One create with a fresh code; a taken code (another discount of the shop has it) gets one more fresh draw. */
async function withFreshCode(create: (code: string) => Promise<Omit<CreateAttempt, "code">>): Promise<CreateAttempt> {
  let code = newBundleCode();
  let attempt = await create(code);
  if (attempt.errors.some((e) => e.code === "TAKEN")) attempt = await create((code = newBundleCode()));
  return { code, ...attempt };
}

function created(attempt: CreateAttempt, kind: BundleDiscountKind): { id: string; code: string; kind: BundleDiscountKind } {
  assertNoUserErrors(attempt.errors);
  if (!attempt.id) throw new AdminApiError("Shopify did not return the created discount");
  return { id: attempt.id, code: attempt.code, kind };
}

/**
 * What the shop's bundle code takes off, for the play page; null without a discount, or when Shopify cannot be
 * asked right now (the page then says nothing about it rather than guess).
 */
export async function bundleDiscountScope(admin: AdminGraphqlClient, discountId: string | null): Promise<BundleDiscountKind | null> {
  if (!isCodeDiscount(discountId)) return null;
  try {
    return await discountKind(admin, discountId);
  } catch (err) {
    // A re-authentication (redirect or 401) is the library's to answer; any other failure only hides the line.
    if (err instanceof Response && (err.status === 401 || (err.status >= 300 && err.status < 400))) throw err;
    return null;
  }
}

/** The stored discount's kind, or null when Shopify no longer has it. */
async function discountKind(admin: AdminGraphqlClient, id: string): Promise<BundleDiscountKind | null> {
  const data = await adminGraphql<{ discountNode: { discount: { __typename: string } } | null }>(admin, KIND, { id });
  const type = data.discountNode?.discount.__typename;
  return type === undefined ? null : type === "DiscountCodeApp" ? "bundle_lines" : "whole_cart";
}

/** Percentage, cap and the rest of the input, through the update mutation of the discount's kind. */
async function updateBundleDiscount(
  admin: AdminGraphqlClient,
  id: string,
  kind: BundleDiscountKind,
  settings: DealSeekerSettings,
  code: string,
): Promise<UserError[]> {
  if (kind === "bundle_lines") {
    const { startsAt: _keepOriginalStart, functionHandle: _sameFunction, ...update } = bundleAppDiscountInput(settings, new Date(), code);
    const data = await adminGraphql<{ discountCodeAppUpdate: AppPayload }>(admin, UPDATE_APP, { id, discount: update });
    return data.discountCodeAppUpdate.userErrors;
  }
  const { startsAt: _keepOriginalStart, ...update } = bundleDiscountInput(settings, new Date(), code);
  const data = await adminGraphql<{ discountCodeBasicUpdate: Payload }>(admin, UPDATE, { id, discount: update });
  return data.discountCodeBasicUpdate.userErrors;
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
