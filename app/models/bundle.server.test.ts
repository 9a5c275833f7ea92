// The bundle code leaves the app only for a treated visitor while the Deal-Seeker play is on.
import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { assignArm } from "../lib/stats/assignment";
import { forgetVisitorKeys } from "./visitors.server";
import { issuedVisitorFor } from "./visitors.testkit";
import { action } from "../routes/apps.proxy.bundle";
import { resetDatabase } from "../../tests/helpers/db";
import { appProxyRequest, installShop, TEST_SHOP } from "../../tests/helpers/shopify";
import { ensureDefaultPlays } from "./plays.server";

const CODE = "BUNDLE-ABCDEFGHJK";

async function call(request: Request): Promise<Response> {
  try {
    return await action({ request, params: {}, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}
const ask = (visitorId: string, opts: { secret?: string } = {}) =>
  call(appProxyRequest("/bundle", { method: "POST", body: JSON.stringify({ visitorId }), secret: opts.secret }));

/** A visitor id the app issued whose server arm in the play (default 10 % holdout) is the requested one. */
async function visitorIn(arm: "treatment" | "holdout"): Promise<string> {
  for (;;) {
    const v = await issuedVisitorFor(TEST_SHOP);
    if (v.arms.deal_seeker === arm) return v.id;
  }
}

/** An id the app never signed that the old client-side hash put in the treatment arm. */
function madeUpTreated(prefix: string): string {
  for (let i = 0; ; i++) if (assignArm(`${prefix}-${i}`, "deal_seeker", 10) === "treatment") return `${prefix}-${i}`;
}

async function dealSeeker(enabled: boolean, discountId: string | null = "gid://shopify/DiscountCodeNode/5") {
  await prisma.playConfig.update({ where: { shop_play: { shop: TEST_SHOP, play: "deal_seeker" } }, data: { enabled, discountId, discountCode: discountId ? CODE : null } });
}

beforeEach(async () => {
  await resetDatabase();
  forgetVisitorKeys();
  await installShop();
  await ensureDefaultPlays(TEST_SHOP);
});

describe("POST /apps/proxy/bundle", () => {
  it("GIVEN the play on WHEN a treated visitor asks THEN the code, not cacheable", async () => {
    await dealSeeker(true);
    const res = await ask(await visitorIn("treatment"));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ code: CODE });
    expect(res.headers.get("cache-control")).toBe("private, no-store");
  });

  it("GIVEN the play on WHEN a holdout visitor asks THEN 403 and no code", async () => {
    await dealSeeker(true);
    const res = await ask(await visitorIn("holdout"));
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain(CODE);
  });

  it("GIVEN the play on WHEN an id the app never signed asks (one a client-side hash would put in treatment) THEN 403 and no code", async () => {
    await dealSeeker(true);
    const res = await ask(madeUpTreated("bundle-made-up"));
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain(CODE);
  });

  it("GIVEN the play off, or on with only the earlier automatic discount WHEN a treated visitor asks THEN 404", async () => {
    await dealSeeker(false);
    expect((await ask(await visitorIn("treatment"))).status).toBe(404);
    await dealSeeker(true, "gid://shopify/DiscountAutomaticNode/9");
    expect((await ask(await visitorIn("treatment"))).status).toBe(404);
  });

  it("GIVEN a forged signature, a bad body or a GET WHEN asked THEN 401 / 400 / 405", async () => {
    await dealSeeker(true);
    expect((await ask(await visitorIn("treatment"), { secret: "attacker" })).status).toBe(401);
    expect((await call(appProxyRequest("/bundle", { method: "POST", body: "{" }))).status).toBe(400);
    expect((await call(appProxyRequest("/bundle", { method: "POST", body: JSON.stringify({ visitorId: "x" }) }))).status).toBe(400);
    expect((await call(appProxyRequest("/bundle", { method: "POST", body: JSON.stringify({ visitorId: "visitor-0001", extra: 1 }) }))).status).toBe(400);
    expect((await call(appProxyRequest("/bundle"))).status).toBe(405);
  });

  it("GIVEN one visitor asking again and again WHEN over the limit THEN 429", async () => {
    await dealSeeker(true);
    const v = await visitorIn("treatment");
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await ask(v)).status);
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
  });
});

describe("POST /api/checkout/bundle", () => {
  it("GIVEN a checkout session token WHEN a treated visitor asks THEN the code with CORS; a holdout visitor 403; a bad body 400 with CORS", async () => {
    const { action: checkoutAction } = await import("../routes/api.checkout.bundle");
    const { checkoutRequest } = await import("../../tests/helpers/shopify");
    const go = async (body: string) => {
      try {
        return await checkoutAction({ request: await checkoutRequest("/api/checkout/bundle", { method: "POST", body }), params: {}, context: {} });
      } catch (thrown) {
        if (thrown instanceof Response) return thrown;
        throw thrown;
      }
    };
    await dealSeeker(true);
    const ok = await go(JSON.stringify({ visitorId: await visitorIn("treatment") }));
    const okBody = await ok.json();
    expect(ok.status, JSON.stringify(okBody)).toBe(200);
    expect(okBody).toEqual({ code: CODE });
    expect(ok.headers.get("access-control-allow-origin")).toBe("*");
    expect((await go(JSON.stringify({ visitorId: await visitorIn("holdout") }))).status).toBe(403);
    const bad = await go("{");
    expect(bad.status).toBe(400);
    expect(bad.headers.get("access-control-allow-origin")).toBe("*");
  });
});
