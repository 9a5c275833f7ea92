/**
 * Test data for the checkout extension: a published config built from the real defaults, metafield entries in
 * the shape checkout hands them over, and backend responses.
 */
import { vi } from "vitest";
import { defaultSettings } from "../../../../app/lib/plays/defaults";
import type { Arm, CustomerContext, PlayKey, PublishedPlaysConfig } from "../../../../app/lib/plays/types";
import { PLAY_KEYS } from "../../../../app/lib/plays/types";
import { assignArm } from "../../../../app/lib/stats/assignment";
import type { AppMetafieldEntry } from "@shopify/ui-extensions/checkout";
import type { ServerVisitor } from "../core/data";
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

/** A well-formed signed id (`<nonce>.<tag>`, 22 base64url characters each); only the app could verify it. */
export const VISITOR_ID = "nonceNONCEnonceNONCE01.tagTAGtagTAGtagTAG0123";

/** The profile endpoint's `visitor`: the id and the server's arm in every play (treatment unless overridden). */
export function serverVisitor(arms: Partial<Record<PlayKey, Arm>> = {}, id = VISITOR_ID): ServerVisitor {
  return { id, arms: { ...Object.fromEntries(PLAY_KEYS.map((p) => [p, "treatment"])), ...arms } };
}

/** Cart attributes carrying the visitor id the app issued (the default fake backend answers with the same id). */
export function visitorAttributes(visitorId = VISITOR_ID, plays?: string) {
  const attrs = [{ key: "_rp_vid", value: visitorId }];
  if (plays) attrs.push({ key: "_rp_plays", value: plays });
  return attrs;
}

/**
 * A well-formed id the old unkeyed `assignArm` put in `arm` for a play at the given holdout percent: the extension
 * must ignore that local hash and use the server's arm.
 */
export function idLocallyIn(play: PlayKey, arm: Arm, holdoutPercent: number): string {
  for (let i = 0; i < 10_000; i++) {
    const id = `${String(i).padStart(22, "n")}.${"t".repeat(22)}`;
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
 * "throw" → network error) together with `visitor` (default `serverVisitor()`); events are recorded and answered 202.
 */
export function fakeBackend(
  profile: CustomerContext | null | "fail" | "hang" | "throw",
  opts: { bundleCode?: string | null; visitor?: ServerVisitor | null } = {},
) {
  const visitor = opts.visitor === undefined ? serverVisitor() : opts.visitor;
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
    const path = new URL(url).pathname;
    if (path === "/api/checkout/events") return new Response(null, { status: 202 });
    if (path === "/api/checkout/bundle") {
      return opts.bundleCode ? Response.json({ code: opts.bundleCode }) : Response.json({ error: "The bundle offer is not available to this visitor" }, { status: 403 });
    }
    if (profile === "fail") return new Response("down", { status: 503 });
    if (profile === "throw") throw new TypeError("Failed to fetch");
    if (profile === "hang") {
      return new Promise<Response>((_, reject) => init?.signal?.addEventListener("abort", () => reject(new Error("aborted"))));
    }
    return Response.json({ customer: profile, visitor });
  });
  const eventPosts = () => calls.filter((c) => c.url.endsWith("/api/checkout/events"));
  const events = () =>
    eventPosts().flatMap((c) => (c.body as { events: Array<{ type: string; play: string; arm: string }> }).events);
  const profileCalls = () => calls.filter((c) => new URL(c.url).pathname === "/api/checkout/profile");
  return { fetch: fetchMock as unknown as typeof fetch, calls, events, eventPosts, profileCalls };
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
