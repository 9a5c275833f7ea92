/**
 * The admin pages' window onto Shopify and onto modules owned by other parts of the app:
 * - `adminGraphql`: one Admin API call with errors turned into an `AdminApiError` (a `Response` thrown by the
 *   library for re-authentication is passed through untouched);
 * - adapters to analytics/profiles/sync/propensity, loaded lazily through `import.meta.glob`, so the admin
 *   compiles and renders honest "not available yet" states until those modules land, and uses them as soon as
 *   they exist — without changing this file.
 */
import { json } from "@remix-run/node";
import { RANGE_DAYS } from "../components/ranges";
import type { PlayKey, RfmGroup, LifecycleStage } from "../lib/plays/types";

export interface AdminGraphqlClient {
  graphql: (query: string, options?: { variables?: Record<string, unknown> }) => Promise<Response>;
}

export class AdminApiError extends Error {
  constructor(
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
    this.name = "AdminApiError";
  }
}

interface GraphqlBody<T> {
  data?: T;
  errors?: unknown;
}

function errorText(errors: unknown): string {
  if (Array.isArray(errors)) {
    return errors.map((e) => (e && typeof e === "object" && "message" in e ? String(e.message) : String(e))).join("; ");
  }
  if (errors && typeof errors === "object" && "message" in errors) return String((errors as { message: unknown }).message);
  return String(errors);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs one Admin GraphQL document; retries a THROTTLED answer twice with jittered backoff. */
export async function adminGraphql<T>(admin: AdminGraphqlClient, query: string, variables?: Record<string, unknown>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    let body: GraphqlBody<T>;
    try {
      const res = await admin.graphql(query, variables ? { variables } : undefined);
      body = (await res.json()) as GraphqlBody<T>;
    } catch (error) {
      if (error instanceof Response) throw error;
      const gqlBody = (error as { body?: { errors?: unknown } }).body;
      const text = gqlBody?.errors ? errorText(gqlBody.errors) : error instanceof Error ? error.message : String(error);
      if (/THROTTLED/i.test(text) && attempt < 2) {
        await sleep(500 * 2 ** attempt + Math.random() * 250);
        continue;
      }
      throw new AdminApiError(text, gqlBody ?? null);
    }
    if (body.errors) {
      const text = errorText(body.errors);
      if (/THROTTLED/i.test(text) && attempt < 2) {
        await sleep(500 * 2 ** attempt + Math.random() * 250);
        continue;
      }
      throw new AdminApiError(text, body.errors);
    }
    if (!body.data) throw new AdminApiError("Empty Admin API response");
    return body.data;
  }
}

/** userErrors from a mutation payload → an AdminApiError (or nothing). */
export function assertNoUserErrors(userErrors: { field?: string[] | null; message: string }[] | null | undefined): void {
  if (userErrors && userErrors.length) {
    throw new AdminApiError(userErrors.map((e) => (e.field?.length ? `${e.field.join(".")}: ${e.message}` : e.message)).join("; "), userErrors);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Adapters to modules owned by other engineers (contracts as announced; shapes normalised defensively).

const modules = import.meta.glob(["./analytics.server.ts", "./profiles.server.ts", "./sync.server.ts", "../lib/propensity/explain.ts", "../lib/propensity/index.ts"]);

async function load(path: string): Promise<Record<string, unknown> | null> {
  const importer = modules[path];
  if (!importer) return null;
  try {
    return (await importer()) as Record<string, unknown>;
  } catch (error) {
    console.error(`[admin] could not load ${path}`, error);
    return null;
  }
}

async function fn<F>(path: string, name: string): Promise<F | null> {
  const mod = await load(path);
  const f = mod?.[name];
  return typeof f === "function" ? (f as F) : null;
}

const num = (v: unknown, d = 0): number => (typeof v === "number" && Number.isFinite(v) ? v : typeof v === "string" && v !== "" && Number.isFinite(Number(v)) ? Number(v) : d);
const str = (v: unknown): string | null => (typeof v === "string" ? v : v instanceof Date ? v.toISOString() : null);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === "object" ? (v as Record<string, unknown>) : {});

// --- sync ------------------------------------------------------------------------------------------------------

export interface SyncProgress {
  available: boolean;
  status: "none" | "running" | "completed" | "failed";
  orders: number;
  customers: number;
  /** Total objects the bulk operation reported (for the progress bar), when known. */
  total: number | null;
  error: string | null;
  finishedAt: string | null;
  /** 0..1 when the sync module reports it. */
  progress: number | null;
}

function normaliseSyncStatus(raw: unknown): SyncProgress {
  const top = obj(raw);
  // sync.server's view is { job, progress, active }; a bare SyncJob row is accepted too.
  if ("job" in top && top.job == null) return { available: true, status: "none", orders: 0, customers: 0, total: null, error: null, finishedAt: null, progress: null };
  const r = "job" in top ? obj(top.job) : top;
  const s = String(r.status ?? "none").toLowerCase();
  const status: SyncProgress["status"] =
    /fail|error|expired|cancel/.test(s) ? "failed" : /complete|done|finished|succeed/.test(s) ? "completed" : s === "none" || s === "" || s === "null" ? "none" : "running";
  return {
    available: true,
    status,
    orders: num(r.ordersProcessed ?? r.orders),
    customers: num(r.customersProcessed ?? r.customers),
    total: r.objectCount != null || r.total != null ? num(r.objectCount ?? r.total) || null : null,
    error: str(r.error),
    finishedAt: str(r.finishedAt),
    progress: typeof top.progress === "number" ? top.progress : status === "completed" ? 1 : null,
  };
}

/** Progress of the customer-history sync (sync.server `syncStatus`), or the latest SyncJob row as a fallback. */
export async function getSyncProgress(shop: string): Promise<SyncProgress> {
  const syncStatus = await fn<(shop: string) => Promise<unknown>>("./sync.server.ts", "syncStatus");
  if (syncStatus) {
    const raw = await syncStatus(shop);
    if (raw == null) return { available: true, status: "none", orders: 0, customers: 0, total: null, error: null, finishedAt: null, progress: null };
    return normaliseSyncStatus(raw);
  }
  const { default: prisma } = await import("../db.server");
  const job = await prisma.syncJob.findFirst({ where: { shop }, orderBy: { startedAt: "desc" } });
  if (!job) return { available: false, status: "none", orders: 0, customers: 0, total: null, error: null, finishedAt: null, progress: null };
  return normaliseSyncStatus(job);
}

export async function startHistorySync(shop: string, admin: AdminGraphqlClient): Promise<{ ok: true } | { ok: false; reason: "unavailable" | "error"; error?: string }> {
  const start = await fn<(shop: string, admin: AdminGraphqlClient) => Promise<unknown>>("./sync.server.ts", "startHistorySync");
  if (!start) return { ok: false, reason: "unavailable" };
  try {
    await start(shop, admin);
    return { ok: true };
  } catch (error) {
    if (error instanceof Response) throw error;
    return { ok: false, reason: "error", error: error instanceof Error ? error.message : String(error) };
  }
}

// --- customers -------------------------------------------------------------------------------------------------

export interface CustomerView {
  customerId: string;
  ordersCount: number;
  netSpend: number;
  aov: number;
  firstOrderAt: string | null;
  lastOrderAt: string | null;
  rScore: number;
  fScore: number;
  mScore: number;
  segment: RfmGroup;
  stage: LifecycleStage;
  shopifyRfmGroup: string | null;
  agreesWithShopify: boolean | null;
  /** Plain reasons for the segment from the profiles module (scores vs the shop's thresholds). */
  reasons: string[];
  thresholds: { recency: (string | null)[]; frequency: (number | null)[]; monetary: (number | null)[] } | null;
  propensity: { probability: number | null; factors: { label: string; effect: number }[] } | null;
}

function normaliseProfile(raw: unknown): CustomerView | null {
  const top = obj(raw);
  const p = obj(top.profile ?? raw);
  if (!p.customerId && !p.id) return null;
  const ex = obj(p.explanation);
  const scores = obj(ex.scores);
  const th = obj(ex.thresholds);
  return {
    customerId: String(p.customerId ?? p.id),
    ordersCount: num(p.ordersCount),
    netSpend: num(p.netSpend),
    aov: num(p.aov),
    firstOrderAt: str(p.firstOrderAt),
    lastOrderAt: str(p.lastOrderAt),
    rScore: num(scores.r ?? p.rScore),
    fScore: num(scores.f ?? p.fScore),
    mScore: num(scores.m ?? p.mScore),
    segment: String(p.segment ?? "PROSPECTS") as RfmGroup,
    stage: String(p.stage ?? "returning_visitor") as LifecycleStage,
    shopifyRfmGroup: str(p.shopifyRfmGroup),
    agreesWithShopify: typeof ex.agreesWithShopify === "boolean" ? ex.agreesWithShopify : p.shopifyRfmGroup ? p.shopifyRfmGroup === p.segment : null,
    reasons: Array.isArray(ex.reasons) ? ex.reasons.map(String) : [],
    thresholds: Array.isArray(th.recency) ? (th as unknown as CustomerView["thresholds"]) : null,
    propensity: null,
  };
}

export type LookupResult =
  | { kind: "found"; customer: CustomerView }
  | { kind: "not_found" }
  | { kind: "unavailable" };

/** Customer lookup by email or id (profiles.server `lookupCustomer`), with the propensity explanation when present. */
export async function lookupCustomerView(shop: string, admin: AdminGraphqlClient, query: string): Promise<LookupResult> {
  const lookup = await fn<(shop: string, admin: AdminGraphqlClient, q: string) => Promise<unknown>>("./profiles.server.ts", "lookupCustomer");
  let customer: CustomerView | null;
  if (lookup) {
    customer = normaliseProfile(await lookup(shop, admin, query));
  } else {
    // Without the profiles module, ids still resolve against stored profiles; emails need the Admin API lookup.
    const id = query.match(/^(?:gid:\/\/shopify\/Customer\/)?(\d+)$/)?.[1];
    if (!id) return { kind: "unavailable" };
    const { default: prisma } = await import("../db.server");
    const row = await prisma.customerProfile.findFirst({ where: { shop, customerId: { in: [id, `gid://shopify/Customer/${id}`] } } });
    customer = row ? normaliseProfile(row) : null;
  }
  if (!customer) return { kind: "not_found" };
  customer.propensity = await explainFor(shop, customer);
  return { kind: "found", customer };
}

async function explainFor(shop: string, customer: CustomerView): Promise<CustomerView["propensity"]> {
  const explain =
    (await fn<(...a: unknown[]) => unknown>("../lib/propensity/explain.ts", "explainPropensity")) ??
    (await fn<(...a: unknown[]) => unknown>("../lib/propensity/index.ts", "explainPropensity"));
  if (!explain) return null;
  try {
    const raw = obj(await explain({ shop, customer }));
    const factors = Array.isArray(raw.factors ?? raw.contributions)
      ? ((raw.factors ?? raw.contributions) as unknown[]).map((f) => {
          const o = obj(f);
          return { label: String(o.label ?? o.feature ?? o.name ?? ""), effect: num(o.effect ?? o.contribution ?? o.value) };
        })
      : [];
    const probability = raw.probability ?? raw.p;
    return { probability: typeof probability === "number" ? probability : null, factors };
  } catch {
    return null;
  }
}

export async function getRfmAgreement(shop: string): Promise<{ percent: number; n: number } | null> {
  const rfm = await fn<(shop: string) => Promise<unknown>>("./profiles.server.ts", "rfmAgreement");
  if (rfm) {
    const r = obj(await rfm(shop));
    const n = num(r.n ?? r.compared ?? r.total);
    if (!n) return null;
    const rate = r.rate ?? r.agreement;
    const percent = typeof rate === "number" ? (rate <= 1 ? rate * 100 : rate) : (num(r.agree ?? r.agreeing) / n) * 100;
    return { percent, n };
  }
  const { default: prisma } = await import("../db.server");
  const rows = await prisma.customerProfile.findMany({ where: { shop, shopifyRfmGroup: { not: null } }, select: { segment: true, shopifyRfmGroup: true } });
  if (!rows.length) return null;
  const agree = rows.filter((r) => r.segment === r.shopifyRfmGroup).length;
  return { percent: (agree / rows.length) * 100, n: rows.length };
}

// --- analytics -------------------------------------------------------------------------------------------------

export interface ArmFunnel {
  eligible: number;
  shown: number;
  engaged: number;
  orders: number;
  revenue: number;
  discount: number;
}

export interface PlayReportView {
  play: PlayKey;
  treatment: ArmFunnel;
  holdout: ArmFunnel;
  /** Absolute conversion-rate difference (treatment − holdout) with its 95 % interval; null when unavailable. */
  lift: { estimate: number; low: number; high: number; relative: number | null } | null;
  incrementalOrders: number | null;
  incrementalRevenue: number | null;
  discountCost: number;
  verdict: string | null;
  sampleSizeNeeded: number | null;
  method: string | null;
  daily: { day: string; treatmentRate: number | null; holdoutRate: number | null }[];
}

export interface AnalyticsView {
  /** True when the statistics module (lift, verdict) is present; false = funnel sums only. */
  statsAvailable: boolean;
  plays: PlayReportView[];
  unattributedOrders: number | null;
}

const arm = (v: unknown): ArmFunnel => {
  const o = obj(v);
  return { eligible: num(o.eligible), shown: num(o.shown), engaged: num(o.engaged), orders: num(o.orders ?? o.ordered), revenue: num(o.revenue), discount: num(o.discount ?? o.discountCost) };
};

function normaliseLift(v: unknown): PlayReportView["lift"] {
  const o = obj(v);
  const estimate = o.estimate ?? o.diff ?? o.absolute ?? o.value;
  const low = o.low ?? o.lower ?? obj(o.ci).low ?? (Array.isArray(o.interval) ? o.interval[0] : undefined);
  const high = o.high ?? o.upper ?? obj(o.ci).high ?? (Array.isArray(o.interval) ? o.interval[1] : undefined);
  if (typeof estimate !== "number" || typeof low !== "number" || typeof high !== "number") return null;
  return { estimate, low, high, relative: typeof o.relative === "number" ? o.relative : null };
}

async function dailyRates(shop: string, from: Date, to: Date) {
  const { default: prisma } = await import("../db.server");
  const rows = await prisma.dailyPlayStat.findMany({
    where: { shop, day: { gte: from.toISOString().slice(0, 10), lte: to.toISOString().slice(0, 10) } },
    orderBy: { day: "asc" },
  });
  return rows;
}

/** Per-play funnel and lift for a date range (analytics.server `playReport`), falling back to raw daily sums. */
export async function getAnalytics(shop: string, range: { from: Date; to: Date }): Promise<AnalyticsView> {
  const rows = await dailyRates(shop, range.from, range.to);
  const byPlay = new Map<string, Map<string, { t: ArmFunnel; h: ArmFunnel }>>();
  const sums = new Map<string, { t: ArmFunnel; h: ArmFunnel }>();
  const zero = (): ArmFunnel => ({ eligible: 0, shown: 0, engaged: 0, orders: 0, revenue: 0, discount: 0 });
  for (const r of rows) {
    const days = byPlay.get(r.play) ?? new Map();
    byPlay.set(r.play, days);
    const d = days.get(r.day) ?? { t: zero(), h: zero() };
    days.set(r.day, d);
    const s = sums.get(r.play) ?? { t: zero(), h: zero() };
    sums.set(r.play, s);
    for (const target of [r.arm === "holdout" ? d.h : d.t, r.arm === "holdout" ? s.h : s.t]) {
      target.eligible += r.eligible;
      target.shown += r.shown;
      target.engaged += r.engaged;
      target.orders += r.orders;
      target.revenue += r.revenue;
      target.discount += r.discount;
    }
  }
  const daily = (play: string) =>
    [...(byPlay.get(play)?.entries() ?? [])].map(([day, v]) => ({
      day,
      treatmentRate: v.t.eligible ? v.t.orders / v.t.eligible : null,
      holdoutRate: v.h.eligible ? v.h.orders / v.h.eligible : null,
    }));

  const report = await fn<(shop: string, r: { from: Date; to: Date }) => Promise<unknown>>("./analytics.server.ts", "playReport");
  if (report) {
    const raw = obj(await report(shop, range));
    const list = Array.isArray(raw) ? raw : Array.isArray(raw.plays) ? raw.plays : Object.entries(raw.plays ?? {}).map(([play, v]) => ({ play, ...obj(v) }));
    const plays = (list as unknown[]).map((item): PlayReportView => {
      const o = obj(item);
      const play = String(o.play) as PlayKey;
      return {
        play,
        treatment: arm(o.treatment),
        holdout: arm(o.holdout),
        lift: normaliseLift(o.lift),
        incrementalOrders: typeof o.incrementalOrders === "number" ? o.incrementalOrders : null,
        incrementalRevenue: typeof o.incrementalRevenue === "number" ? o.incrementalRevenue : null,
        discountCost: num(o.discountCost, arm(o.treatment).discount),
        verdict: str(obj(o.verdict).kind ?? obj(o.verdict).verdict ?? o.verdict),
        sampleSizeNeeded: typeof (o.sampleSizeNeeded ?? obj(o.verdict).sampleSizeNeeded) === "number" ? num(o.sampleSizeNeeded ?? obj(o.verdict).sampleSizeNeeded) : null,
        method: str(o.method ?? obj(o.lift).method),
        daily: daily(play),
      };
    });
    return { statsAvailable: true, plays, unattributedOrders: typeof raw.unattributedOrders === "number" ? raw.unattributedOrders : null };
  }
  const plays = [...sums.entries()].map(([play, s]): PlayReportView => ({
    play: play as PlayKey,
    treatment: s.t,
    holdout: s.h,
    lift: null,
    incrementalOrders: null,
    incrementalRevenue: null,
    discountCost: s.t.discount,
    verdict: null,
    sampleSizeNeeded: null,
    method: null,
    daily: daily(play),
  }));
  return { statsAvailable: false, plays, unattributedOrders: null };
}


/** ?days= → an inclusive date range ending today (unknown values fall back to 30 days). */
export function analyticsRange(searchParams: URLSearchParams, now = new Date()) {
  const asked = Number(searchParams.get("days"));
  const days = (RANGE_DAYS as readonly number[]).includes(asked) ? asked : 30;
  return { days, from: new Date(now.getTime() - (days - 1) * 86_400_000), to: now };
}

/** CSV of the report (analytics.server `reportCsv`), or a CSV of the funnel sums. */
export async function getAnalyticsCsv(shop: string, range: { from: Date; to: Date }): Promise<string> {
  const csv = await fn<(shop: string, r: { from: Date; to: Date }) => Promise<string>>("./analytics.server.ts", "reportCsv");
  if (csv) return csv(shop, range);
  const view = await getAnalytics(shop, range);
  const head = "play,arm,eligible,shown,engaged,orders,revenue,discount";
  const lines = view.plays.flatMap((p) =>
    (["treatment", "holdout"] as const).map((a) => [p.play, a, p[a].eligible, p[a].shown, p[a].engaged, p[a].orders, p[a].revenue.toFixed(2), p[a].discount.toFixed(2)].join(",")),
  );
  return [head, ...lines].join("\n") + "\n";
}

// --- HTTP edge helpers for the admin routes: malformed input is a 400/413 Response, never a crash. ---

export async function readJsonBody(request: Request, maxBytes = 64_000): Promise<Record<string, unknown>> {
  const length = Number(request.headers.get("content-length") ?? 0);
  if (length > maxBytes) throw json({ error: "errors.badRequest" }, { status: 413 });
  const contentType = request.headers.get("content-type") ?? "";
  try {
    if (contentType.includes("application/json")) {
      const text = await request.text();
      if (text.length > maxBytes) throw new Error("too large");
      const body = JSON.parse(text) as unknown;
      if (body && typeof body === "object" && !Array.isArray(body)) return body as Record<string, unknown>;
      throw new Error("not an object");
    }
    const form = await request.formData();
    return Object.fromEntries([...form.entries()].map(([k, v]) => [k, typeof v === "string" ? v : ""]));
  } catch (error) {
    if (error instanceof Response) throw error;
    throw json({ error: "errors.badRequest" }, { status: 400 });
  }
}

export function intField(value: unknown): number | null {
  const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
  return Number.isInteger(n) ? n : null;
}
