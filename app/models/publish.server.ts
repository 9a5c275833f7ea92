/**
 * Publishing play settings to the storefront and checkout. The database is the source of truth; what shoppers'
 * browsers read is a JSON snapshot (`PublishedPlaysConfig`) in the app-owned metafield `$app:recovery_plays.config`
 * on the AppInstallation (theme extension, Liquid `app.metafields["$app:recovery_plays"]`) and on the Shop (checkout
 * `appMetafields`), so neither needs a network call for configuration.
 *
 * - Only enabled plays are in the payload: nothing the merchant did not turn on can reach shoppers.
 * - Atomic: one `metafieldsSet` call with one metafield — the storefront sees the old or the new snapshot, never a mix.
 * - Versioned: PublishedConfig.version increases whenever the payload content changes.
 * - Retried: a failure leaves status "failed" with attempts/lastError; `retryPublishIfDue` (called on every admin
 *   page load) retries with exponential backoff, and every save publishes again.
 * - Serialised per shop across instances (a PostgreSQL advisory lock held for the whole publish), and the write is
 *   conditional (`compareDigest` read before the snapshot is built): a publish that lost a race starts over from
 *   the database instead of writing its older snapshot over a newer one.
 */
import prisma, { databaseKind } from "../db.server";
import { ratesOfRows } from "./pageStats.server";
import { loadShopModel } from "./propensity.server";
import type { PublishedPlaysConfig, PlayKey, PlaySettingsMap } from "../lib/plays/types";
import { adminGraphql, assertNoUserErrors, type AdminGraphqlClient } from "./adminData.server";
import { bundleDiscountTitle, syncBundleDiscount, type DiscountSyncResult } from "./discounts.server";
import { getBands, getPlay, listPlays, savePlay, type BandsRecord, type PlayRecord, type SavePlayInput, type SaveResult } from "./plays.server";

/**
 * Shopify stores this as `app--<app id>--recovery_plays`. Liquid must read it with the reserved prefix,
 * `app.metafields["$app:recovery_plays"].config` (a plain `app.metafields.recovery_plays` is another namespace);
 * checkout's `appMetafields` hands it back as `$app:recovery_plays` (the toml declares that form).
 */
export const METAFIELD_NAMESPACE = "$app:recovery_plays";
export const METAFIELD_KEY = "config";

const INSTALLATION = `#graphql
  query RecoveryPlaysInstallation($namespace: String!, $key: String!) {
    currentAppInstallation { id metafield(namespace: $namespace, key: $key) { compareDigest } }
    shop { id metafield(namespace: $namespace, key: $key) { compareDigest } }
  }`;

type Owner = { id: string; metafield: { compareDigest: string } | null };

const SET = `#graphql
  mutation RecoveryPlaysPublish($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields { id key namespace updatedAt }
      userErrors { field message code }
    }
  }`;

export interface PublishState {
  version: number;
  status: "pending" | "published" | "failed";
  attempts: number;
  lastError: string | null;
  publishedAt: string | null;
}

/** The snapshot content for a shop (without deciding its version). */
export async function buildPublishedConfig(shop: string, version: number): Promise<PublishedPlaysConfig> {
  const [plays, bands, shopRow, pageRows, shopModel] = await Promise.all([
    listPlays(shop),
    getBands(shop),
    prisma.shop.findUnique({ where: { shop } }),
    prisma.pageStat.findMany({ where: { shop } }),
    loadShopModel(shop),
  ]);
  const enabled: Partial<{ [K in PlayKey]: PlaySettingsMap[K] }> = {};
  let bundleTitle: string | undefined;
  for (const p of plays) {
    if (!p.enabled) continue;
    (enabled as Record<string, unknown>)[p.play] = p.settings;
    if (p.play === "deal_seeker" && p.discountId && (p.settings as PlaySettingsMap["deal_seeker"]).discountPercent > 0) {
      bundleTitle = bundleDiscountTitle((p.settings as PlaySettingsMap["deal_seeker"]).discountPercent);
    }
  }
  // Google Analytics definitions (app/lib/propensity/pageStats): bounce rate per entrance, exit rate per
  // pageview, page value per unique pageview.
  const pageStats: PublishedPlaysConfig["pageStats"] = ratesOfRows(pageRows);
  return {
    version,
    bands: bands.bands,
    plays: enabled,
    shop: {
      currency: shopRow?.currencyCode ?? "USD",
      aov: shopRow?.shopAov ?? 0,
      ...(bundleTitle ? { bundleDiscountTitle: bundleTitle } : {}),
    },
    pageStats,
    ...(shopModel.source === "shop" && shopModel.model.calibration ? { propensity: shopModel.model.calibration } : {}),
    // The proxy path the shop's signed requests showed (edge.server recordProxyPath); absent = the toml's default.
    ...(shopRow?.proxyPathPrefix ? { proxy: shopRow.proxyPathPrefix } : {}),
  };
}

function toState(row: { version: number; status: string; attempts: number; lastError: string | null; publishedAt: Date | null }): PublishState {
  const status = row.status === "published" || row.status === "failed" ? row.status : "pending";
  return { version: row.version, status, attempts: row.attempts, lastError: row.lastError, publishedAt: row.publishedAt?.toISOString() ?? null };
}

export async function publishState(shop: string): Promise<PublishState | null> {
  const row = await prisma.publishedConfig.findUnique({ where: { shop } });
  return row ? toState(row) : null;
}

const locks = new Map<string, Promise<unknown>>();

function serialised<T>(shop: string, task: () => Promise<T>): Promise<T> {
  const previous = locks.get(shop) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(task);
  locks.set(shop, next);
  void next.finally(() => {
    if (locks.get(shop) === next) locks.delete(shop);
  }).catch(() => undefined);
  return next;
}

/**
 * One publisher per shop across instances. PostgreSQL: a transaction-level advisory lock held while the publish
 * runs (released at commit, or by the server if this process dies, so it cannot leak; transaction-level, so it
 * works behind PgBouncer in transaction mode). SQLite is one process, where `serialised` already orders them.
 */
async function withPublishLock<T>(shop: string, task: () => Promise<T>): Promise<T> {
  if (databaseKind() !== "postgres") return task();
  return prisma.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtext($1))`, `rp-publish:${shop}`);
      return task();
    },
    { timeout: 5 * 60_000, maxWait: 30_000 },
  );
}

/** The snapshot to write now: content from the database, version bumped when the content changed. */
async function prepare(shop: string) {
  const current = await prisma.publishedConfig.findUnique({ where: { shop } });
  const draft = await buildPublishedConfig(shop, 0);
  const { version: _draftVersion, ...content } = draft;
  const previous = current ? (JSON.parse(current.payload) as Partial<PublishedPlaysConfig>) : null;
  const { version: _previousVersion, ...previousContent } = previous ?? {};
  const changed = !current || JSON.stringify(previousContent) !== JSON.stringify(content);
  const version = changed ? (current?.version ?? 0) + 1 : current!.version;
  const payload = JSON.stringify({ ...draft, version } satisfies PublishedPlaysConfig);
  return { current, changed, version, payload, upToDate: !changed && current?.status === "published" };
}

const MAX_STALE_RETRIES = 3;

/**
 * Publishes the current settings. Never throws for Admin API failures (they are recorded for retry); a
 * re-authentication `Response` from the library is rethrown.
 */
export function publishConfig(shop: string, admin: AdminGraphqlClient): Promise<PublishState> {
  return serialised(shop, () => withPublishLock(shop, () => publishLocked(shop, admin)));
}

async function publishLocked(shop: string, admin: AdminGraphqlClient, attempt = 0): Promise<PublishState> {
  const first = await prepare(shop);
  if (first.upToDate) return toState(first.current!);
  let next = first;
  try {
    // Digests first, snapshot second: every save committed before the digests were read is in the snapshot, and
    // a write by anyone else after that read makes ours fail (STALE_OBJECT) instead of overwriting it.
    const owners = await adminGraphql<{ currentAppInstallation: Owner; shop: Owner }>(admin, INSTALLATION, {
      namespace: METAFIELD_NAMESPACE,
      key: METAFIELD_KEY,
    });
    next = await prepare(shop);
    if (next.upToDate) return toState(next.current!);
    const { version, payload, changed } = next;
    await prisma.publishedConfig.upsert({
      where: { shop },
      create: { shop, version, payload, status: "pending", attempts: 0 },
      update: changed ? { version, payload, status: "pending", attempts: 0, lastError: null } : { status: "pending" },
    });
    // One atomic metafieldsSet, two owners: the theme app extension reads the app installation's metafield
    // (Liquid `app.metafields`), while checkout UI extensions can only read app-owned metafields on the shop.
    // compareDigest null = "must not exist yet".
    const data = await adminGraphql<{ metafieldsSet: { userErrors: { field?: string[] | null; message: string; code?: string | null }[] } }>(admin, SET, {
      metafields: [owners.currentAppInstallation, owners.shop].map((owner) => ({
        ownerId: owner.id,
        namespace: METAFIELD_NAMESPACE,
        key: METAFIELD_KEY,
        type: "json",
        value: payload,
        compareDigest: owner.metafield?.compareDigest ?? null,
      })),
    });
    const errors = data.metafieldsSet.userErrors;
    if (errors.length > 0 && errors.every((e) => e.code === "STALE_OBJECT") && attempt < MAX_STALE_RETRIES) {
      // Someone published in between: start over from what the database holds now.
      return publishLocked(shop, admin, attempt + 1);
    }
    assertNoUserErrors(errors);
  } catch (error) {
    if (error instanceof Response) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const row = await prisma.publishedConfig.upsert({
      where: { shop },
      create: { shop, version: next.version, payload: next.payload, status: "failed", attempts: 1, lastError: message.slice(0, 500) },
      update: { status: "failed", attempts: { increment: 1 }, lastError: message.slice(0, 500) },
    });
    return toState(row);
  }
  const row = await prisma.publishedConfig.update({
    where: { shop },
    data: { status: "published", attempts: 0, lastError: null, publishedAt: new Date() },
  });
  return toState(row);
}

/** Backoff between automatic retries: 5 s, 10 s, 20 s … capped at 10 minutes. */
export function retryDelayMs(attempts: number): number {
  return Math.min(10 * 60_000, 5_000 * 2 ** Math.max(0, attempts - 1));
}

/** Called on admin page loads: retries a pending/failed publish once its backoff has passed. */
export async function retryPublishIfDue(shop: string, admin: AdminGraphqlClient, now = new Date()): Promise<PublishState | null> {
  const row = await prisma.publishedConfig.findUnique({ where: { shop } });
  if (!row || row.status === "published") return row ? toState(row) : null;
  if (row.status === "failed" && now.getTime() - row.updatedAt.getTime() < retryDelayMs(row.attempts)) return toState(row);
  return publishConfig(shop, admin);
}

export type SaveAndPublishResult<K extends PlayKey> =
  | { ok: true; record: PlayRecord<K>; bands: BandsRecord; publish: PublishState; discount: DiscountSyncResult | null; discountError: string | null }
  | Exclude<SaveResult<K>, { ok: true }>;

/**
 * The one path every play change takes: validate + store (versioned) → keep the bundle discount in sync →
 * publish the storefront snapshot. A discount or publish failure never undoes the saved settings; it is reported
 * and retried.
 */
export async function savePlayAndPublish<K extends PlayKey>(
  shop: string,
  admin: AdminGraphqlClient,
  play: K,
  input: SavePlayInput,
): Promise<SaveAndPublishResult<K>> {
  const saved = await savePlay(shop, play, input);
  if (!saved.ok) return saved;
  let record = saved.record;
  let discount: DiscountSyncResult | null = null;
  let discountError: string | null = null;
  if (play === "deal_seeker") {
    try {
      discount = await syncBundleDiscount(shop, admin, record as PlayRecord<"deal_seeker">);
      record = await getPlay(shop, play);
    } catch (error) {
      if (error instanceof Response) throw error;
      discountError = error instanceof Error ? error.message : String(error);
    }
  }
  const publish = await publishConfig(shop, admin);
  return { ok: true, record, bands: saved.bands, publish, discount, discountError };
}
