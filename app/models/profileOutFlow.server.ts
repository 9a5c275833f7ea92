/**
 * "Shopper hesitated": the Flow trigger fired for a known customer who hesitated on the storefront and left
 * without buying (holdout customers too, marked holdout).
 */
import prisma from "../db.server";
import { PLAY_BARRIER } from "../lib/profile-out/fields";
import { metafieldInputs, customerGid } from "../lib/profile-out/encode";
import { HESITATED_TRIGGER_HANDLE, hesitatedPayload } from "../lib/profile-out/flow";
import type { PlayKey, PropensityBands } from "../lib/plays/types";
import { bandOf } from "../lib/decisions/engine";
import { getBands } from "./plays.server";
import { customerPropensity } from "./propensity.server";
import { FLOW_TRIGGER, METAFIELDS_SET, client, log, readSettings, type Admin, type ProfileOutOptions, type UserError } from "./profileOutShared.server";
import { syncCustomerTags, writeCustomerProfile } from "./profileOutCustomer.server";

// ---------------------------------------------------------------------------------------------- flow trigger

export interface HesitationScanOptions extends ProfileOutOptions {
  /** A hesitation counts as "left without buying" after this long without an order (default 30 minutes). */
  leaveMs?: number;
  storefrontUrl: string;
  /** Only hesitations after this instant (the caller's watermark). */
  since?: Date;
}

/**
 * Fires "Shopper hesitated" for each known customer whose latest hesitation (an `eligible` event: the play's
 * hesitation signal matched, treated or holdout) is older than `leaveMs` with no order since. The customer's
 * `last_hesitation` metafield is the watermark: it is written with the trigger, and a hesitation not newer
 * than it has been sent already. Holdout customers fire too, marked `holdout`.
 */
export async function fireHesitations(shop: string, admin: Admin, o: HesitationScanOptions): Promise<{ fired: number }> {
  const now = (o.now ?? Date.now)();
  const leaveMs = o.leaveMs ?? 30 * 60_000;
  const cutoff = new Date(now - leaveMs);
  const events = await prisma.event.findMany({
    where: { shop, type: "eligible", customerId: { not: null }, occurredAt: { lte: cutoff, ...(o.since ? { gt: o.since } : {}) } },
    orderBy: { occurredAt: "desc" },
    select: { customerId: true, play: true, arm: true, path: true, value: true, occurredAt: true },
    take: 5000,
  });
  const latest = new Map<string, (typeof events)[number]>();
  for (const e of events) if (e.customerId && e.play && !latest.has(e.customerId)) latest.set(e.customerId, e);
  const c = client(admin, o);
  let fired = 0;
  const tags = latest.size > 0 && (await readSettings(admin, o)).tags;
  let bands: PropensityBands | null = null;
  for (const [customerId, e] of latest) {
    const bought = await prisma.profileOrder.count({ where: { shop, customerId, createdAt: { gte: e.occurredAt } } });
    if (bought > 0) continue;
    const mf = await c.request<{ customer: { metafield: { value: string } | null } | null }>(LAST_HESITATION, { id: customerGid(customerId) });
    if (!mf.data.customer) continue;
    const seen = mf.data.customer.metafield?.value ? Date.parse((JSON.parse(mf.data.customer.metafield.value) as { at?: string }).at ?? "") : NaN;
    if (Number.isFinite(seen) && seen >= e.occurredAt.getTime()) continue;
    const profile = await prisma.customerProfile.findUnique({ where: { shop_customerId: { shop, customerId } }, select: { aov: true } });
    const cartValue = await lastCartValue(shop, customerId, e.occurredAt);
    // Hesitation events carry no path: the page is the last one the shopper viewed up to that moment.
    const page = e.path ?? (await prisma.event.findFirst({ where: { shop, customerId, type: "page_view", occurredAt: { lte: e.occurredAt } }, orderBy: { occurredAt: "desc" }, select: { path: true } }))?.path;
    const play = e.play as PlayKey;
    bands ??= (await getBands(shop)).bands;
    const propensityBand = await hesitationBand(shop, customerId, e.occurredAt, bands);
    const payload = hesitatedPayload({
      customerId,
      play,
      cartValue,
      aov: profile?.aov ?? 0,
      propensityBand,
      storefrontUrl: new URL(page ?? "/", o.storefrontUrl).toString(),
      holdout: e.arm === "holdout",
    });
    const r = await c.request<{ flowTriggerReceive: { userErrors: UserError[] } }>(FLOW_TRIGGER, { handle: HESITATED_TRIGGER_HANDLE, payload });
    if (r.data.flowTriggerReceive.userErrors.length) {
      log(o)("flowTriggerReceive refused", { shop, customerId, errors: r.data.flowTriggerReceive.userErrors });
      continue;
    }
    fired++;
    // The watermark and the rest of the profile (hesitation fields only for consented customers: events exist
    // only with consent, so this customer has it).
    await writeCustomerProfile(shop, admin, customerId, o);
    await c.request(METAFIELDS_SET, {
      metafields: metafieldInputs(customerId, { last_hesitation: { play, barrier: PLAY_BARRIER[play], at: e.occurredAt.toISOString() }, ...(propensityBand ? { propensity_band: propensityBand } : {}) }, true),
    });
    // With the tags setting on, rp:hesitated-price follows the new barrier (and app tags that stopped being true go).
    if (tags) await syncCustomerTags(shop, admin, customerId, o);
  }
  return { fired };
}

/**
 * The band of the customer's session that hesitated, scored on the server from the page views the app stored
 * (the same replay and model the customer lookup explains), never from what the storefront reported. Null when
 * no session is stored.
 */
export async function hesitationBand(shop: string, customerId: string, at: Date, bands: PropensityBands): Promise<"low" | "medium" | "high" | null> {
  const scored = await customerPropensity(shop, customerId, at);
  return scored ? bandOf(scored.probability, bands) : null;
}

export const LAST_HESITATION = `#graphql
  query ProfileLastHesitation($id: ID!) {
    customer(id: $id) { id metafield(namespace: "$app:recovery_plays", key: "last_hesitation") { value } }
  }`;

/** Cart subtotal the storefront last reported for the customer (add_to_cart/checkout values), 0 if none. */
async function lastCartValue(shop: string, customerId: string, before: Date): Promise<number> {
  const e = await prisma.event.findFirst({
    where: { shop, customerId, type: { in: ["add_to_cart", "checkout_started", "eligible"] }, value: { not: null }, occurredAt: { lte: before } },
    orderBy: { occurredAt: "desc" },
    select: { value: true },
  });
  return e?.value ?? 0;
}

