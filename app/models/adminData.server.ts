/**
 * The admin pages' window onto Shopify and onto modules owned by other parts of the app:
 * - `adminGraphql`: one Admin API call with errors turned into an `AdminApiError` (a `Response` thrown by the
 *   library for re-authentication is passed through untouched);
 * - adapters to analytics/profiles/sync: their results normalised into the shapes the pages render.
 */
import { customerPropensity, propensityInsights, type CustomerPropensity, type PropensityInsights } from "./propensity.server";
import { json } from "@remix-run/node";
import { RANGE_DAYS } from "../lib/stats/ranges";
import type { PlayKey, RfmGroup, LifecycleStage } from "../lib/plays/types";
import { AdminApiError as LibAdminApiError, createAdminClient, type AdminClient } from "../lib/admin-client";
import { playReport, reportCsv } from "./analytics.server";
import { hasLiftFigure } from "../lib/stats/lift";
import { lookupCustomer, rfmAgreement } from "./profiles.server";
import { startHistorySync as syncStart, syncStatus } from "./sync.server";

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

/** One cost-aware client per admin context, so its view of the throttle bucket carries across calls. */
const clients = new WeakMap<AdminGraphqlClient, AdminClient>();

/**
 * Runs one Admin GraphQL document through the shared cost-aware client (app/lib/admin-client: reads
 * throttleStatus, waits before THROTTLED, retries THROTTLED/5xx/timeouts with jitter). A re-authentication
 * `Response` from the library passes through; GraphQL errors become an AdminApiError.
 */
export async function adminGraphql<T>(admin: AdminGraphqlClient, query: string, variables?: Record<string, unknown>): Promise<T> {
  let client = clients.get(admin);
  if (!client) {
    client = createAdminClient((q, o) => admin.graphql(q, o), { maxAttempts: 3 });
    clients.set(admin, client);
  }
  try {
    return (await client.request<T>(query, variables)).data;
  } catch (error) {
    if (error instanceof Response) throw error;
    if (error instanceof LibAdminApiError) throw new AdminApiError(error.message, error.details ?? null);
    throw error;
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
  return normaliseSyncStatus(await syncStatus(shop));
}

export async function startHistorySync(shop: string, admin: AdminGraphqlClient): Promise<{ ok: true } | { ok: false; reason: "unavailable" | "error"; error?: string }> {
  try {
    await syncStart(shop, admin);
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
  /** The customer's latest storefront session, scored and explained (propensity.server `customerPropensity`). */
  propensity: CustomerPropensity | null;
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

/** Customer lookup by id (profiles.server `lookupCustomer`: stored profile + why it is in its segment). */
export async function lookupCustomerView(shop: string, query: string): Promise<LookupResult> {
  const customer = normaliseProfile(await lookupCustomer(shop, query));
  if (!customer) return { kind: "not_found" };
  // Their latest storefront session (page views while logged in), replayed and explained with the shop's model.
  customer.propensity = await customerPropensity(shop, customer.customerId);
  return { kind: "found", customer };
}

export async function getRfmAgreement(shop: string): Promise<{ percent: number; n: number } | null> {
  const r = await rfmAgreement(shop);
  if (!r.compared || r.rate === null) return null;
  return { percent: r.rate * 100, n: r.compared };
}

// --- analytics (analytics.server) -------------------------------------------------------------------------------

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
  /** Conversion-rate difference (treatment − holdout, Newcombe 95 % interval). */
  lift: { estimate: number; low: number; high: number; relative: number | null } | null;
  incrementalOrders: number | null;
  incrementalRevenue: number | null;
  discountCost: number;
  verdict: string | null;
  /** Why (lib/stats VerdictReason): the page explains a verdict without a lift figure. */
  verdictReason?: string | null;
  /** Eligible visitors still missing (lagging arm) before the planned sample size is reached. */
  sampleSizeNeeded: number | null;
  method: string | null;
  daily: { day: string; treatmentRate: number | null; holdoutRate: number | null }[];
}

export interface AnalyticsView {
  statsAvailable: boolean;
  /** The report's days (inclusive) and the zone they are calendar days of (null = UTC). */
  range: { from: string; to: string; zone: string | null };
  plays: PlayReportView[];
  unattributedOrders: number | null;
  /** What drives the propensity scores of the range's storefront sessions (explanations averaged). */
  propensity: PropensityInsights;
}

const METHOD = "Wilson intervals per arm, Newcombe hybrid score interval for the difference (95 %)";

/** Per-play funnel, lift and verdict for a date range (cohorts first eligible in the range). */
export async function getAnalytics(shop: string, range: { from: Date; to: Date; lastDays?: number }): Promise<AnalyticsView> {
  const days = Math.max(1, Math.round((range.to.getTime() - range.from.getTime()) / 86_400_000) + 1);
  const [report, propensity] = await Promise.all([playReport(shop, range), propensityInsights(shop, { now: range.to, days })]);
  const plays = report.plays.map((row): PlayReportView => {
    const arm = (a: typeof row.treatment): ArmFunnel => ({ eligible: a.eligible, shown: a.shown, engaged: a.engaged, orders: a.ordered, revenue: a.revenue, discount: a.discount });
    const a = row.analysis;
    const required = a.plan.required;
    const missing = Math.max(required.treatment - row.treatment.eligible, required.holdout - row.holdout.eligible, 0);
    return {
      play: row.play,
      treatment: arm(row.treatment),
      holdout: arm(row.holdout),
      // No control or a broken split: no lift figure at all, the verdict says why.
      lift: hasLiftFigure(a.verdict) ? { estimate: a.difference.estimate, low: a.difference.lower, high: a.difference.upper, relative: a.relativeLift?.estimate ?? null } : null,
      incrementalOrders: hasLiftFigure(a.verdict) ? a.incrementalOrders.estimate : null,
      incrementalRevenue: hasLiftFigure(a.verdict) ? a.incrementalRevenue.estimate : null,
      verdictReason: a.reason,
      discountCost: row.discountCost,
      verdict: a.verdict,
      sampleSizeNeeded: a.verdict === "not_enough_data" && missing > 0 ? Math.ceil(missing) : null,
      method: METHOD,
      daily: report.series
        .filter((p) => p.play === row.play)
        .map((p) => ({
          day: p.day,
          treatmentRate: p.treatment.eligible ? p.treatment.conversion : null,
          holdoutRate: p.holdout.eligible ? p.holdout.conversion : null,
        })),
    };
  });
  return { statsAvailable: true, range: { from: report.from, to: report.to, zone: report.zone }, plays, unattributedOrders: null, propensity };
}

/** ?days= → an inclusive date range ending today (unknown values fall back to 30 days). */
export function analyticsRange(searchParams: URLSearchParams, now = new Date()) {
  const asked = Number(searchParams.get("days"));
  const days = (RANGE_DAYS as readonly number[]).includes(asked) ? asked : 30;
  return { days, from: new Date(now.getTime() - (days - 1) * 86_400_000), to: now, lastDays: days };
}

/** CSV of the report (summary per play, then per day). */
export async function getAnalyticsCsv(shop: string, range: { from: Date; to: Date; lastDays?: number }): Promise<string> {
  return reportCsv(shop, range);
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
