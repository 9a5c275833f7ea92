/**
 * Test data for the checkout extension: a published config built from the real defaults, metafield entries in
 * the shape checkout hands them over, and backend responses.
 */
import { vi } from "vitest";
import { defaultSettings } from "../../../../app/lib/plays/defaults";
import type { CustomerContext, PlayKey, PublishedPlaysConfig } from "../../../../app/lib/plays/types";
import { assignArm } from "../../../../app/lib/stats/assignment";
import type { AppMetafieldEntry } from "@shopify/ui-extensions/checkout";
import en from "../../locales/en.default.json";

export const APP_URL = "https://recovery-plays.test";

/** Config with the given plays enabled on the checkout surface and no holdout unless overridden. */
export function publishedConfig(
  plays: PlayKey[],
  overrides: { shop?: Partial<PublishedPlaysConfig["shop"]>; holdoutPercent?: number } = {},
): PublishedPlaysConfig {
  const config: PublishedPlaysConfig = {
    version: 1,
    bands: { low: 0.2, high: 0.6 },
    plays: {},
    shop: { currency: "USD", aov: 50, ...overrides.shop },
    pageStats: {},
  };
  for (const play of plays) {
    const settings = defaultSettings(play);
    settings.surfaces = [...settings.surfaces.filter((s) => s !== "checkout"), "checkout"];
    settings.holdoutPercent = overrides.holdoutPercent ?? 0;
    (config.plays as Record<string, unknown>)[play] = settings;
  }
  return config;
}

export function configEntry(config: unknown): AppMetafieldEntry {
  return {
    target: { type: "shop", id: "gid://shopify/Shop/1" },
    metafield: {
      namespace: "$app:recovery_plays",
      key: "config",
      value: typeof config === "string" ? config : JSON.stringify(config),
      type: "json",
      valueType: "json_string",
    },
  };
}

export function customer(overrides: Partial<CustomerContext> = {}): CustomerContext {
  return { stage: "repeat_customer", segment: "LOYAL", ordersCount: 4, aov: 80, lastOrderAt: "2026-01-10T00:00:00Z", ...overrides };
}

export function visitorAttributes(visitorId = "v-123", plays?: string) {
  const attrs = [{ key: "_rp_vid", value: visitorId }];
  if (plays) attrs.push({ key: "_rp_plays", value: plays });
  return attrs;
}

/** A visitor id that `assignArm` puts in the wanted arm for a play at the given holdout percent. */
export function visitorInArm(play: PlayKey, arm: "treatment" | "holdout", holdoutPercent: number): string {
  for (let i = 0; i < 10_000; i++) {
    const id = `visitor-${i}`;
    if (assignArm(id, play, holdoutPercent) === arm) return id;
  }
  throw new Error("no visitor found");
}

export interface BackendCall {
  url: string;
  method: string;
  authorization: string | null;
  body: unknown;
}

/**
 * A fake app backend: `profile` answers GET /api/checkout/profile ("fail" → 503, "hang" → never answers,
 * "throw" → network error); events are recorded and answered 202.
 */
export function fakeBackend(profile: CustomerContext | null | "fail" | "hang" | "throw", opts: { bundleCode?: string | null } = {}) {
  const calls: BackendCall[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    const headers = new Headers(init?.headers);
    calls.push({
      url,
      method: init?.method ?? "GET",
      authorization: headers.get("Authorization"),
      body: typeof init?.body === "string" ? JSON.parse(init.body) : undefined,
    });
    if (url.endsWith("/api/checkout/events")) return new Response(null, { status: 202 });
    if (url.endsWith("/api/checkout/bundle")) {
      return opts.bundleCode ? Response.json({ code: opts.bundleCode }) : Response.json({ error: "The bundle offer is not available to this visitor" }, { status: 403 });
    }
    if (profile === "fail") return new Response("down", { status: 503 });
    if (profile === "throw") throw new TypeError("Failed to fetch");
    if (profile === "hang") {
      return new Promise<Response>((_, reject) => init?.signal?.addEventListener("abort", () => reject(new Error("aborted"))));
    }
    return Response.json({ customer: profile });
  });
  const events = () =>
    calls
      .filter((c) => c.url.endsWith("/api/checkout/events"))
      .flatMap((c) => (c.body as { events: Array<{ type: string; play: string; arm: string }> }).events);
  return { fetch: fetchMock as unknown as typeof fetch, calls, events };
}

/**
 * A `translate` that reads locales/en.default.json and interpolates `{{name}}` like checkout does, so a test
 * can assert real copy; a missing key renders as `[missing:<key>]` (not thrown: `t()` swallows errors).
 */
export function englishTranslate(): (key: string, replacements?: Record<string, unknown>) => string {
  return (key, replacements = {}) => {
    const value = key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], en);
    if (typeof value !== "string") return `[missing:${key}]`;
    return value.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => String(replacements[name]));
  };
}
