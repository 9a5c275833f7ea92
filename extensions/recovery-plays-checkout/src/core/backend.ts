/**
 * Calls to the app backend. Checkout must never wait on or break because of the app: every call has a timeout
 * and every failure resolves to a fallback value instead of throwing.
 */
import type { Arm, CustomerContext, PlayKey } from "../../../../app/lib/plays/types";
import { toCustomerContext } from "./data";

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
  return (await fetchProfileResult(deps, timeoutMs)).profile;
}

/** Like fetchProfile, telling an answer from the app (`ok`, cacheable, possibly null = guest) from a failure. */
export async function fetchProfileResult(
  deps: BackendDeps,
  timeoutMs = PROFILE_TIMEOUT_MS,
): Promise<{ ok: boolean; profile: CustomerContext | null }> {
  if (!deps.appUrl) return { ok: false, profile: null };
  try {
    return await withTimeout(timeoutMs, async (signal) => {
      const token = await deps.getToken();
      const res = await deps.fetch(`${deps.appUrl}/api/checkout/profile`, {
        headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
        signal,
      });
      if (!res.ok) return { ok: false, profile: null };
      const body: unknown = await res.json();
      const customer = typeof body === "object" && body !== null ? (body as { customer?: unknown }).customer : undefined;
      return { ok: customer !== undefined, profile: toCustomerContext(customer) };
    });
  } catch {
    return { ok: false, profile: null };
  }
}

/**
 * POST /api/checkout/bundle → the Deal-Seeker bundle's discount code for this visitor, or null (not in the
 * treatment arm, play off, no backend, failure, timeout). The app decides; the code is never in the config.
 */
export async function fetchBundleCode(deps: BackendDeps, visitorId: string, timeoutMs = PROFILE_TIMEOUT_MS): Promise<string | null> {
  if (!deps.appUrl) return null;
  try {
    return await withTimeout(timeoutMs, async (signal) => {
      const token = await deps.getToken();
      const res = await deps.fetch(`${deps.appUrl}/api/checkout/bundle`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ visitorId }),
        signal,
      });
      if (!res.ok) return null;
      const code = ((await res.json()) as { code?: unknown }).code;
      return typeof code === "string" && code.length > 0 && code.length <= 255 ? code : null;
    });
  } catch {
    return null;
  }
}

/** POST /api/checkout/events; fire-and-forget, resolves true only when the app accepted them (202). */
export async function sendEvents(
  deps: BackendDeps,
  visitorId: string,
  events: CheckoutEvent[],
  timeoutMs = EVENTS_TIMEOUT_MS,
): Promise<boolean> {
  if (!deps.appUrl || events.length === 0) return false;
  try {
    return await withTimeout(timeoutMs, async (signal) => {
      const token = await deps.getToken();
      const res = await deps.fetch(`${deps.appUrl}/api/checkout/events`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: JSON.stringify({ visitorId, events }),
        signal,
      });
      return res.status === 202;
    });
  } catch {
    return false;
  }
}
