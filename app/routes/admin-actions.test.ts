// The Settings and home pages' actions through their real HTTP edge (signed session tokens): each body is one of
// the page's intents, checked by its zod discriminated union; anything else is a 400 and changes nothing.
import type { ActionFunctionArgs } from "@remix-run/node";
import { beforeAll, describe, expect, it } from "vitest";

let prisma: typeof import("../db.server").default;
let helpers: typeof import("../../tests/helpers/shopify");
let settings: typeof import("./app.settings");
let home: typeof import("./app._index");
const SHOP = "actions-shop.myshopify.com";

beforeAll(async () => {
  helpers = await import("../../tests/helpers/shopify");
  prisma = (await import("../db.server")).default;
  settings = await import("./app.settings");
  home = await import("./app._index");
  await helpers.installShop(SHOP);
});

const post = async (route: { action: (a: ActionFunctionArgs) => unknown }, path: string, body: unknown) => {
  const request = await helpers.adminRequest(path, { shop: SHOP, method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  return (await route.action({ request, params: {}, context: {} })) as Response;
};
const retention = async () => (await prisma.shop.findUniqueOrThrow({ where: { shop: SHOP } })).retentionDays;

describe("Settings page action", () => {
  it("GIVEN a retention period of 90 days WHEN saved THEN it is stored", async () => {
    const res = await post(settings, "/app/settings", { intent: "retention", retentionDays: "90" });
    expect(res.status).toBe(200);
    expect(await retention()).toBe(90);
  });

  it("GIVEN a retention period of 10 days (below 30) WHEN saved THEN 422 on the field and nothing changes", async () => {
    const before = await retention();
    const res = await post(settings, "/app/settings", { intent: "retention", retentionDays: 10 });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ fieldErrors: { retentionDays: { key: "settings.retentionError" } } });
    expect(await retention()).toBe(before);
  });

  it("GIVEN an intent the page does not have WHEN posted THEN 400", async () => {
    expect((await post(settings, "/app/settings", { intent: "dropEverything" })).status).toBe(400);
  });
});

describe("home page action", () => {
  it("GIVEN the checkout step marked done WHEN posted THEN 200", async () => {
    expect((await post(home, "/app", { intent: "checkoutDone", done: true })).status).toBe(200);
  });

  it("GIVEN the checkout step with a non-boolean 'done' WHEN posted THEN 400", async () => {
    expect((await post(home, "/app", { intent: "checkoutDone", done: "yes" })).status).toBe(400);
  });
});
