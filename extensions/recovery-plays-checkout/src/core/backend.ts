/**
 * Calls to the app backend. Checkout must never wait on or break because of the app: every call has a timeout
 * and every failure resolves to a fallback value instead of throwing.
 */
import type { Arm, CustomerContext, PlayKey } from "../../../../app/lib/plays/types";
import { isSignedVisitorIdFormat } from "../../../../app/lib/stats/visitor";
import { toCustomerContext, toServerVisitor, type ServerVisitor } from "./data";

export const PROFILE_TIMEOUT_MS = 1500;
export const EVENTS_TIMEOUT_MS = 3000;

export type CheckoutEventType = "shown" | "engaged" | "dismissed" | "eligible";

export interface CheckoutEvent {
  type: CheckoutEventType;
  play: PlayKey;
  arm: Arm;
  ts: number;
}

export interface BackendDeps {
  /** Absolute app origin; undefined means "no backend known" and no request is made. */
  appUrl: string | undefined;
  getToken: () => Promise<string>;
  fetch: typeof fetch;
}

/**
 * The app's URL, inlined at build time: Shopify CLI bundles UI extensions with esbuild and `define`s every
 * environment variable as `process.env.NAME`, setting APP_URL to the app URL during `shopify app dev`
 * (for deploy, export APP_URL or put it in the app's .env). Unbundled (tests) it is read from the environment.
 */
export function buildTimeAppUrl(): string | undefined {
  try {
    const url = process.env.APP_URL;
    return url && /^https?:\/\//.test(url) ? url.replace(/\/+$/, "") : undefined;
  } catch {
    // `process` does not exist in the checkout worker when the variable was not defined at build time.
    return undefined;
  }
}

export async function withTimeout<T>(ms: number, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error("timeout"));
    }, ms);
  });
  try {
    return await Promise.race([run(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** GET /api/checkout/profile → the buyer's CustomerContext, or null on any failure or after the timeout. */
export async function fetchProfile(deps: BackendDeps, timeoutMs = PROFILE_TIMEOUT_MS): Promise<CustomerContext | null> {
  return (await fetchProfileResult(deps, undefined, timeoutMs)).profile;
}

/**
 * One authenticated call to the app backend: session token, JSON body (POST) or JSON accept (GET), the timeout,
 * and `read` on the answer. Any failure — no backend, token, network, timeout, unreadable body — gives `fallback`.
 */
async function callApp<T>(
  deps: BackendDeps,
  path: string,
  body: unknown,
  timeoutMs: number,
  read: (res: Response) => Promise<T> | T,
  fallback: T,
): Promise<T> {
  if (!deps.appUrl) return fallback;
  try {
    return await withTimeout(timeoutMs, async (signal) => {
      const token = await deps.getToken();
      const res = await deps.fetch(`${deps.appUrl}${path}`, {
        ...(body === undefined
          ? { headers: { Authorization: `Bearer ${token}`, Accept: "application/json" } }
          : { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: JSON.stringify(body) }),
        signal,
      });
      return await read(res);
    });
  } catch {
    return fallback;
  }
}

export interface ProfileAnswer {
  /** The app answered (cacheable); false on any failure. */
  ok: boolean;
  /** The logged-in buyer's context; null for a guest or on failure. */
  profile: CustomerContext | null;
  /** The signed visitor id and its server arms; null on failure (then nothing renders or reports). */
  visitor: ServerVisitor | null;
}

/**
 * GET /api/checkout/profile[?vid=<cart's _rp_vid>]: the buyer's profile and the app's visitor. The app keeps the
 * presented id when it signed it, else issues a new one; either way the arms are the server's.
 */
export function fetchProfileResult(
  deps: BackendDeps,
  vid: string | undefined,
  timeoutMs = PROFILE_TIMEOUT_MS,
): Promise<ProfileAnswer> {
  const failed: ProfileAnswer = { ok: false, profile: null, visitor: null };
  const query = isSignedVisitorIdFormat(vid) ? `?vid=${encodeURIComponent(vid)}` : "";
  return callApp(deps, `/api/checkout/profile${query}`, undefined, timeoutMs, async (res) => {
    if (!res.ok) return failed;
    const body: unknown = await res.json();
    if (typeof body !== "object" || body === null) return failed;
    const { customer, visitor } = body as { customer?: unknown; visitor?: unknown };
    const issued = toServerVisitor(visitor);
    return { ok: customer !== undefined && issued !== null, profile: toCustomerContext(customer), visitor: issued };
  }, failed);
}

/**
 * POST /api/checkout/bundle → the Deal-Seeker bundle's discount code for this visitor, or null (not in the
 * treatment arm, play off, no backend, failure, timeout). The app decides; the code is never in the config.
 */
export function fetchBundleCode(deps: BackendDeps, visitorId: string, timeoutMs = PROFILE_TIMEOUT_MS): Promise<string | null> {
  return callApp(deps, "/api/checkout/bundle", { visitorId }, timeoutMs, async (res) => {
    if (!res.ok) return null;
    const code = ((await res.json()) as { code?: unknown }).code;
    return typeof code === "string" && code.length > 0 && code.length <= 255 ? code : null;
  }, null);
}

/** POST /api/checkout/events; fire-and-forget, resolves true only when the app accepted them (202). */
export function sendEvents(
  deps: BackendDeps,
  visitorId: string,
  events: CheckoutEvent[],
  timeoutMs = EVENTS_TIMEOUT_MS,
): Promise<boolean> {
  if (events.length === 0) return Promise.resolve(false);
  return callApp(deps, "/api/checkout/events", { visitorId, events }, timeoutMs, (res) => res.status === 202, false);
}
