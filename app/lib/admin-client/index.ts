/**
 * Cost-aware Admin GraphQL caller. Wraps an `admin.graphql`-shaped function (shopify-app-remix returns a
 * Response, and throws its own errors for 429/5xx/GraphQL errors) and:
 *  - tracks the leaky bucket from `extensions.cost.throttleStatus` and waits BEFORE a call that would be
 *    THROTTLED (using the last requested cost of the same document);
 *  - retries THROTTLED after the bucket has refilled enough, and 429/5xx/network errors/timeouts with
 *    exponential backoff and jitter, up to `maxAttempts`;
 *  - turns everything else (GraphQL errors, 4xx) into an AdminApiError at once.
 * Clock, sleep and randomness are injected so tests run in virtual time. No Node or DOM imports.
 */

export type GraphqlFn = (
  query: string,
  options?: { variables?: Record<string, unknown>; signal?: AbortSignal },
) => Promise<Response>;

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface QueryCost {
  requestedQueryCost?: number;
  actualQueryCost?: number | null;
  throttleStatus?: ThrottleStatus;
}

export type AdminErrorKind = "graphql" | "throttled" | "http" | "network" | "timeout" | "user";

export class AdminApiError extends Error {
  constructor(
    message: string,
    readonly kind: AdminErrorKind,
    readonly attempts: number,
    readonly status?: number,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "AdminApiError";
  }

  get retryable(): boolean {
    return this.kind !== "graphql" && this.kind !== "user" && !(this.kind === "http" && this.status !== undefined && this.status < 500 && this.status !== 429);
  }
}

export type AdminClientEvent =
  | { type: "wait"; reason: "budget" | "throttled" | "backoff"; ms: number; attempt: number }
  | { type: "retry"; kind: AdminErrorKind; attempt: number; status?: number };

export interface AdminClientOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Total tries per request, including the first (default 6). */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Per-call timeout (default 30 s); 0 disables. */
  timeoutMs?: number;
  /** Assumed cost of a document never seen before (default 50). */
  defaultCost?: number;
  onEvent?: (e: AdminClientEvent) => void;
}

export interface GraphqlResult<T> {
  data: T;
  extensions?: { cost?: QueryCost } & Record<string, unknown>;
}

export interface AdminClient {
  request<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphqlResult<T>>;
  /** The bucket as last reported, projected to now; null before the first response. */
  bucket(): ThrottleStatus | null;
}

interface BucketState extends ThrottleStatus {
  at: number;
}

type Attempt<T> =
  | { ok: true; result: GraphqlResult<T> }
  | { ok: false; retry: boolean; kind: AdminErrorKind; message: string; status?: number; waitMs?: number; details?: unknown };

const TIMEOUT = Symbol("timeout");

export function createAdminClient(graphql: GraphqlFn, opts: AdminClientOptions = {}): AdminClient {
  const now = opts.now ?? (() => Date.now());
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = opts.random ?? Math.random;
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 6);
  const baseDelayMs = opts.baseDelayMs ?? 500;
  const maxDelayMs = opts.maxDelayMs ?? 30_000;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const defaultCost = opts.defaultCost ?? 50;
  const emit = opts.onEvent ?? (() => {});
  const lastCost = new Map<string, number>();
  let bucket: BucketState | null = null;

  function projected(at: number): number {
    if (!bucket) return Number.POSITIVE_INFINITY;
    return Math.min(bucket.maximumAvailable, bucket.currentlyAvailable + ((at - bucket.at) / 1000) * bucket.restoreRate);
  }

  function observe(cost: QueryCost | undefined, query: string): void {
    if (!cost) return;
    if (typeof cost.requestedQueryCost === "number") lastCost.set(query, cost.requestedQueryCost);
    const t = cost.throttleStatus;
    if (t && [t.maximumAvailable, t.currentlyAvailable, t.restoreRate].every(Number.isFinite) && t.restoreRate > 0) {
      bucket = { ...t, at: now() };
    }
  }

  function msUntilAvailable(cost: number): number {
    if (!bucket) return 0;
    const short = Math.min(cost, bucket.maximumAvailable) - projected(now());
    return short > 0 ? Math.ceil((short / bucket.restoreRate) * 1000) : 0;
  }

  function backoff(attempt: number): number {
    const cap = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    // "Equal jitter": at least half the exponential step, so retries always spread out.
    return Math.round(cap / 2 + random() * (cap / 2));
  }

  async function once<T>(query: string, variables: Record<string, unknown> | undefined): Promise<Attempt<T>> {
    const controller = typeof AbortController === "function" ? new AbortController() : undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const call = graphql(query, { variables, signal: controller?.signal });
    const raced =
      timeoutMs > 0
        ? Promise.race([call, new Promise<typeof TIMEOUT>((r) => (timer = setTimeout(() => r(TIMEOUT), timeoutMs)))])
        : call;
    let res: Response | typeof TIMEOUT;
    try {
      res = await raced;
    } catch (err) {
      return classifyThrown<T>(err, query);
    } finally {
      if (timer !== undefined) clearTimeout(timer);
    }
    if (res === TIMEOUT) {
      controller?.abort();
      call.catch(() => {});
      return { ok: false, retry: true, kind: "timeout", message: `Admin API call timed out after ${timeoutMs} ms` };
    }
    if (res.status === 429 || res.status >= 500) {
      const ra = Number(res.headers.get("Retry-After"));
      return {
        ok: false,
        retry: true,
        kind: "http",
        status: res.status,
        message: `Admin API answered ${res.status}`,
        waitMs: Number.isFinite(ra) && ra > 0 ? ra * 1000 : undefined,
      };
    }
    if (!res.ok) return { ok: false, retry: false, kind: "http", status: res.status, message: `Admin API answered ${res.status}` };
    let body: { data?: T; errors?: unknown; extensions?: { cost?: QueryCost } };
    try {
      body = (await res.json()) as typeof body;
    } catch {
      return { ok: false, retry: true, kind: "network", message: "Admin API answered a body that is not JSON" };
    }
    return fromBody<T>(body, query);
  }

  function fromBody<T>(body: { data?: T; errors?: unknown; extensions?: { cost?: QueryCost } }, query: string): Attempt<T> {
    const cost = body.extensions?.cost;
    observe(cost, query);
    const errors = graphqlErrors(body.errors);
    if (errors.some(isThrottled)) {
      const need = cost?.requestedQueryCost ?? lastCost.get(query) ?? defaultCost;
      return { ok: false, retry: true, kind: "throttled", message: "THROTTLED", waitMs: msUntilAvailable(need), details: errors };
    }
    if (errors.length > 0 || body.data === undefined || body.data === null) {
      const msg = errors.map((e) => e.message).filter(Boolean).join("; ") || "Admin API returned no data";
      return { ok: false, retry: false, kind: "graphql", message: msg, details: errors };
    }
    return { ok: true, result: { data: body.data, extensions: body.extensions } };
  }

  function classifyThrown<T>(err: unknown, query: string): Attempt<T> {
    // shopify-app-remix throws a Response to ask for re-authentication: that is not ours to retry.
    if (typeof Response === "function" && err instanceof Response) throw err;
    const e = err as { body?: { errors?: { graphQLErrors?: unknown }; extensions?: { cost?: QueryCost }; data?: T }; response?: { code?: number; retryAfter?: number }; name?: string; message?: string };
    if (e?.body && typeof e.body === "object" && e.body.errors) {
      // GraphqlQueryError from @shopify/shopify-api: same payload as a 200 with errors.
      return fromBody<T>({ data: e.body.data, errors: e.body.errors.graphQLErrors ?? e.body.errors, extensions: e.body.extensions }, query);
    }
    const code = e?.response?.code;
    if (typeof code === "number") {
      const retry = code === 429 || code >= 500;
      const waitMs = typeof e.response?.retryAfter === "number" ? e.response.retryAfter * 1000 : undefined;
      return { ok: false, retry, kind: "http", status: code, message: e.message ?? `Admin API answered ${code}`, waitMs };
    }
    if (e?.name === "AbortError") return { ok: false, retry: true, kind: "timeout", message: "Admin API call aborted" };
    return { ok: false, retry: true, kind: "network", message: e?.message ?? String(err) };
  }

  async function request<T>(query: string, variables?: Record<string, unknown>): Promise<GraphqlResult<T>> {
    let last: Exclude<Attempt<T>, { ok: true }> | undefined;
    let attempts = 0;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      attempts = attempt;
      const expected = lastCost.get(query) ?? defaultCost;
      const wait = msUntilAvailable(expected);
      if (wait > 0) {
        emit({ type: "wait", reason: "budget", ms: wait, attempt });
        await sleep(wait);
      }
      // Reserve the expected cost so concurrent callers see the bucket drained before Shopify answers.
      if (bucket) bucket = { ...bucket, currentlyAvailable: projected(now()) - expected, at: now() };
      const r = await once<T>(query, variables);
      if (r.ok) return r.result;
      last = r;
      if (!r.retry || attempt === maxAttempts) break;
      emit({ type: "retry", kind: r.kind, attempt, status: r.status });
      const delay = r.kind === "throttled" ? (r.waitMs ?? 0) + Math.round(random() * baseDelayMs) : Math.max(r.waitMs ?? 0, backoff(attempt));
      emit({ type: "wait", reason: r.kind === "throttled" ? "throttled" : "backoff", ms: delay, attempt });
      if (delay > 0) await sleep(delay);
    }
    const f = last as Exclude<Attempt<T>, { ok: true }>;
    throw new AdminApiError(f.message, f.kind, attempts, f.status, f.details);
  }

  return {
    request,
    bucket: () => (bucket ? { maximumAvailable: bucket.maximumAvailable, currentlyAvailable: projected(now()), restoreRate: bucket.restoreRate } : null),
  };
}

interface GqlError {
  message?: string;
  extensions?: { code?: string };
}

function graphqlErrors(errors: unknown): GqlError[] {
  if (!errors) return [];
  if (Array.isArray(errors)) return errors as GqlError[];
  if (typeof errors === "object") {
    const inner = (errors as { graphQLErrors?: unknown }).graphQLErrors;
    if (Array.isArray(inner)) return inner as GqlError[];
    return [errors as GqlError];
  }
  return [{ message: String(errors) }];
}

function isThrottled(e: GqlError): boolean {
  return e?.extensions?.code === "THROTTLED" || e?.message === "Throttled";
}

/** Throws AdminApiError("user") when a mutation payload has userErrors. */
export function assertNoUserErrors(payload: { userErrors?: { field?: string[] | null; message: string }[] } | null | undefined, what: string): void {
  const errs = payload?.userErrors ?? [];
  if (errs.length > 0) {
    throw new AdminApiError(`${what}: ${errs.map((e) => (e.field?.length ? `${e.field.join(".")}: ` : "") + e.message).join("; ")}`, "user", 1, undefined, errs);
  }
}
