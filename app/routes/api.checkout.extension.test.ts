// The checkout extension's backend calls (extensions/recovery-plays-checkout/src/core/backend.ts) against the real
// checkout routes: session token, signing key, holdout shares and the ingest gate are the app's own, not a fake.
import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { defaultSettings } from "../lib/plays/defaults";
import { assignArm } from "../lib/stats/assignment";
import { forgetVisitorKeys } from "../models/visitors.server";
import { resetDatabase } from "../../tests/helpers/db";
import { APP_URL, checkoutRequest, installShop, TEST_SHOP } from "../../tests/helpers/shopify";
import { fetchProfileResult, sendEvents, type BackendDeps } from "../../extensions/recovery-plays-checkout/src/core/backend";
import { loader as profileLoader } from "./api.checkout.profile";
import { action as eventsAction } from "./api.checkout.events";

type Handler = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => Promise<Response> | Response;
const ROUTES: Record<string, Handler> = { "/api/checkout/profile": profileLoader, "/api/checkout/events": eventsAction };

/** What the extension gets in checkout: a session token for the shop and a fetch that reaches the app's routes. */
async function extensionDeps(): Promise<BackendDeps> {
  const token = (await checkoutRequest("/")).headers.get("Authorization")!.replace(/^Bearer /, "");
  return {
    appUrl: APP_URL.replace(/\/+$/, ""),
    getToken: async () => token,
    fetch: (async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, { ...init, headers: { ...Object.fromEntries(new Headers(init?.headers)), Origin: "https://extensions.shopifycdn.com" } });
      const route = ROUTES[new URL(request.url).pathname];
      if (!route) return new Response("not found", { status: 404 });
      try {
        return await route({ request, params: {}, context: {} });
      } catch (thrown) {
        if (thrown instanceof Response) return thrown;
        throw thrown;
      }
    }) as typeof fetch,
  };
}

async function confidenceHoldout(percent: number) {
  await prisma.playConfig.create({
    data: { shop: TEST_SHOP, play: "confidence", enabled: true, settings: JSON.stringify({ ...defaultSettings("confidence"), holdoutPercent: percent }) },
  });
}

describe("checkout extension ↔ checkout routes", () => {
  beforeEach(async () => {
    await resetDatabase();
    forgetVisitorKeys();
    await installShop();
  });

  it("GIVEN a cart without _rp_vid WHEN the extension asks for the profile and then reports with the answer THEN the app keeps that id on the next ask and stores the events (202)", async () => {
    const deps = await extensionDeps();

    const first = await fetchProfileResult(deps, undefined);
    expect(first.ok).toBe(true);
    const visitor = first.visitor!;
    const again = await fetchProfileResult(deps, visitor.id);
    expect(again.visitor).toEqual(visitor);

    const arm = visitor.arms.confidence!;
    expect(await sendEvents(deps, visitor.id, [{ type: "eligible", play: "confidence", arm, ts: Date.now() }])).toBe(true);
    expect(await prisma.event.count({ where: { visitorId: visitor.id, play: "confidence", arm } })).toBe(1);
  });

  it("GIVEN a 100 % holdout WHEN the extension reports THEN the server's holdout arm is stored and a treatment claim, or a ct_<token> id with a locally hashed arm, is refused", async () => {
    await confidenceHoldout(100);
    const deps = await extensionDeps();
    const visitor = (await fetchProfileResult(deps, undefined)).visitor!;
    expect(visitor.arms.confidence).toBe("holdout");

    expect(await sendEvents(deps, visitor.id, [{ type: "shown", play: "confidence", arm: "treatment", ts: Date.now() }])).toBe(false);
    const local = "ct_tok123";
    expect(await sendEvents(deps, local, [{ type: "eligible", play: "confidence", arm: assignArm(local, "confidence", 100), ts: Date.now() }])).toBe(false);
    expect(await prisma.event.count()).toBe(0);

    expect(await sendEvents(deps, visitor.id, [{ type: "eligible", play: "confidence", arm: "holdout", ts: Date.now() }])).toBe(true);
    expect(await prisma.event.count({ where: { visitorId: visitor.id, arm: "holdout" } })).toBe(1);
  });

  it("GIVEN an _rp_vid the app did not sign WHEN the extension asks with it THEN the app answers with another, signed id", async () => {
    const deps = await extensionDeps();
    const forged = `${"a".repeat(22)}.${"b".repeat(22)}`;

    const answer = await fetchProfileResult(deps, forged);

    expect(answer.visitor?.id).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{22}$/);
    expect(answer.visitor?.id).not.toBe(forged);
  });
});
