/**
 * The profile of one customer in Shopify: its values (history always, storefront behaviour only with consent),
 * one metafieldsSet per change (orders/create, hesitation), the optional `rp:` tags, the ready-made segments,
 * and erasure on customers/redact.
 */
import prisma from "../db.server";
import { PROFILE_FIELDS, PROFILE_NAMESPACE, PLAY_BARRIER, type CheckoutStep, type ProfileValues } from "../lib/profile-out/fields";
import { ABANDONED_EVENT_TYPE, stallSummary } from "../lib/profile-out/checkout";
import { inputsLine, metafieldInputs, customerGid } from "../lib/profile-out/encode";
import { APP_TAGS, desiredTags, tagChanges } from "../lib/profile-out/tags";
import { appIdOf, segmentQuery, type ReadySegment } from "../lib/profile-out/segments";
import { PLAY_KEYS, type LifecycleStage, type PlayKey, type RfmGroup } from "../lib/plays/types";
import { liveStage } from "./profiles.server";
import {
  APP_ID, CUSTOMER_TAGS, METAFIELDS_DELETE, METAFIELDS_SET, SEGMENT_CREATE, TAGS_ADD, TAGS_REMOVE,
  client, log, readSettings, type Admin, type ProfileOutOptions, type UserError,
} from "./profileOutShared.server";

// -------------------------------------------------------------------------------------- one customer at a time

/**
 * Consent as the storefront records it: the embed sends nothing without analytics consent (Customer Privacy
 * API), so a customer with stored storefront events consented; one without has no hesitation data to write.
 */
export async function hasStorefrontConsent(shop: string, customerId: string): Promise<boolean> {
  // Shopify's abandoned checkouts are not storefront behaviour: they say nothing about consent.
  return (await prisma.event.count({ where: { shop, customerId, type: { not: ABANDONED_EVENT_TYPE } }, take: 1 })) > 0;
}

/** The customer's values: history from the profile, behaviour (consent-gated) from events and exposures. */
export async function profileValues(shop: string, customerId: string, now = Date.now()): Promise<{ values: ProfileValues; consented: boolean } | null> {
  const p = await prisma.customerProfile.findUnique({ where: { shop_customerId: { shop, customerId } } });
  const consented = await hasStorefrontConsent(shop, customerId);
  if (!p && !consented) return null;
  const values: ProfileValues = {};
  if (p) {
    values.stage = liveStage(p, now) as LifecycleStage;
    values.rfm_group = p.segment as RfmGroup;
    values.aov = p.aov;
  }
  if (consented) {
    const exposures = await prisma.playExposure.findMany({ where: { shop, customerId }, select: { play: true, arm: true, shownAt: true, firstEligibleAt: true } });
    values.plays_seen = [...new Set(exposures.filter((e) => e.shownAt).map((e) => e.play as PlayKey))];
    values.holdout = exposures.some((e) => e.arm === "holdout");
    const last = await prisma.event.findFirst({ where: { shop, customerId, type: "eligible", play: { in: [...PLAY_KEYS] } }, orderBy: { occurredAt: "desc" } });
    if (last?.play) {
      const play = last.play as PlayKey;
      values.last_hesitation = { play, barrier: PLAY_BARRIER[play], at: last.occurredAt.toISOString() };
      values.hesitation_barrier = PLAY_BARRIER[play];
    }
    const abandons = await prisma.event.findMany({ where: { shop, customerId, type: ABANDONED_EVENT_TYPE }, select: { pageType: true, occurredAt: true } });
    const stall = stallSummary(abandons.map((a) => ({ step: (a.pageType ?? "shipping") as CheckoutStep, at: a.occurredAt })));
    if (stall) {
      values.checkout_stall = stall.step;
      values.checkout_abandons = stall.total;
    }
  }
  return { values, consented };
}

/** Writes one customer's metafields (orders/create, storefront hesitation): one metafieldsSet call. */
export async function writeCustomerProfile(shop: string, admin: Admin, customerId: string, o: ProfileOutOptions = {}): Promise<number> {
  const v = await profileValues(shop, customerId, (o.now ?? Date.now)());
  if (!v) return 0;
  const inputs = metafieldInputs(customerId, v.values, v.consented);
  if (inputs.length === 0) return 0;
  const r = await client(admin, o).request<{ metafieldsSet: { userErrors: UserError[] } }>(METAFIELDS_SET, { metafields: inputs });
  if (r.data.metafieldsSet.userErrors.length) {
    log(o)("metafieldsSet refused", { shop, customerId, errors: r.data.metafieldsSet.userErrors });
    return 0;
  }
  return inputs.length;
}

/** Incremental JSONL line for a customer (used by the bench and by tests to compare with historyLine). */
export async function customerLine(shop: string, customerId: string): Promise<string | null> {
  const v = await profileValues(shop, customerId);
  return v ? inputsLine(metafieldInputs(customerId, v.values, v.consented)) : null;
}

// ------------------------------------------------------------------------------------------------------ tags

/**
 * Brings the app's own tags on one customer in line with the profile: adds what is true, removes only app tags
 * that stopped being true. Other tags are never sent to tagsRemove.
 */
export async function syncCustomerTags(shop: string, admin: Admin, customerId: string, o: ProfileOutOptions = {}): Promise<{ add: string[]; remove: string[] }> {
  const v = await profileValues(shop, customerId, (o.now ?? Date.now)());
  const c = client(admin, o);
  const id = customerGid(customerId);
  const r = await c.request<{ customer: { tags: string[] } | null }>(CUSTOMER_TAGS, { id });
  if (!r.data.customer) return { add: [], remove: [] };
  const want = desiredTags({
    segment: v?.values.rfm_group ?? null,
    stage: v?.values.stage ?? null,
    barrier: v?.consented ? v.values.hesitation_barrier ?? null : null,
  });
  const { add, remove } = tagChanges(r.data.customer.tags, want);
  if (add.length) await c.request(TAGS_ADD, { id, tags: add });
  if (remove.length) await c.request(TAGS_REMOVE, { id, tags: remove });
  return { add, remove };
}

// --------------------------------------------------------------------------------------------------- segments

export type SegmentResult = { ok: true; id: string; name: string } | { ok: false; message: string };

export async function createReadySegment(admin: Admin, segment: ReadySegment, name: string, o: ProfileOutOptions = {}): Promise<SegmentResult> {
  const c = client(admin, o);
  const app = await c.request<{ currentAppInstallation: { app: { id: string } } }>(APP_ID);
  const appId = appIdOf(app.data.currentAppInstallation.app.id);
  if (!appId) return { ok: false, message: "The app's id could not be read." };
  const r = await c.request<{ segmentCreate: { segment: { id: string; name: string } | null; userErrors: UserError[] } }>(SEGMENT_CREATE, {
    name,
    query: segmentQuery(segment, appId),
  });
  const { segment: s, userErrors } = r.data.segmentCreate;
  if (!s) return { ok: false, message: userErrors.map((e) => e.message).join("; ") || "Shopify did not create the segment." };
  return { ok: true, id: s.id, name: s.name };
}

// ------------------------------------------------------------------------------------------------------ redact

/** customers/redact: the app's metafields and its own tags leave the customer; other tags stay. */
export async function redactCustomerProfile(admin: Admin, customerId: string, o: ProfileOutOptions = {}): Promise<{ metafields: number; tags: string[] }> {
  const c = client(admin, o);
  const ownerId = customerGid(customerId);
  const del = await c.request<{ metafieldsDelete: { deletedMetafields: ({ key: string } | null)[] | null } }>(METAFIELDS_DELETE, {
    metafields: PROFILE_FIELDS.map((f) => ({ ownerId, namespace: PROFILE_NAMESPACE, key: f.key })),
  });
  const r = await c.request<{ customer: { tags: string[] } | null }>(CUSTOMER_TAGS, { id: ownerId });
  const mine = (r.data.customer?.tags ?? []).filter((t) => (APP_TAGS as readonly string[]).includes(t.toLowerCase()));
  if (mine.length) await c.request(TAGS_REMOVE, { id: ownerId, tags: mine });
  return { metafields: (del.data.metafieldsDelete.deletedMetafields ?? []).filter(Boolean).length, tags: mine };
}

// ------------------------------------------------------------------------------------------------ webhook hooks

/** orders/create: the buyer's metafields (and tags, when the setting is on) follow the new order. */
export async function afterOrder(shop: string, payload: unknown, getAdmin: () => Promise<Admin>, o: ProfileOutOptions = {}): Promise<void> {
  const raw = (payload as { customer?: { id?: unknown } | null } | null)?.customer?.id;
  const customerId = raw == null ? null : String(raw).replace(/^gid:\/\/shopify\/Customer\//, "");
  if (!customerId || !/^\d+$/.test(customerId)) return;
  try {
    const admin = await getAdmin();
    await writeCustomerProfile(shop, admin, customerId, o);
    if ((await readSettings(admin, o)).tags) await syncCustomerTags(shop, admin, customerId, o);
  } catch (err) {
    if (err instanceof Response) throw err;
    log(o)("profile update after an order failed", { shop, customerId, message: err instanceof Error ? err.message : String(err) });
  }
}

/** customers/redact: what the app wrote into Shopify goes too (the shop may be uninstalled: then nothing can be). */
export async function afterRedact(shop: string, rawId: unknown, getAdmin: () => Promise<Admin>, o: ProfileOutOptions = {}): Promise<void> {
  const customerId = rawId == null ? null : String(rawId).replace(/^gid:\/\/shopify\/Customer\//, "");
  if (!customerId || !/^\d+$/.test(customerId)) return;
  const installed = await prisma.shop.findUnique({ where: { shop }, select: { uninstalledAt: true } });
  if (!installed || installed.uninstalledAt) return;
  try {
    await redactCustomerProfile(await getAdmin(), customerId, o);
  } catch (err) {
    if (err instanceof Response) throw err;
    // The local erasure (the mandatory part) already happened; Shopify being unreachable must not undo its
    // acknowledgement. The failure is logged for follow-up.
    log(o)("removing the customer's metafields and tags failed", { shop, customerId, message: err instanceof Error ? err.message : String(err) });
  }
}
