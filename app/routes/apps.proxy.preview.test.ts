// The shopper preview through its HTTP edges: the admin mints a link, the storefront redeems the token via the
// signed app proxy; other shops' tokens, expired and forged ones show nothing.
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPreviewToken, PREVIEW_TTL_MS, verifyPreviewToken } from "../models/preview.server";

let helpers: typeof import("../../tests/helpers/shopify");
let prisma: typeof import("../db.server").default;
const SHOP = "preview-shop.myshopify.com";
const OTHER = "preview-other.myshopify.com";
const args = (request: Request, params: Record<string, string> = {}) => ({ request, params, context: {} });

beforeAll(async () => {
  helpers = await import("../../tests/helpers/shopify");
  prisma = (await import("../db.server")).default;
});
beforeEach(async () => {
  await helpers.installShop(SHOP);
  await helpers.installShop(OTHER);
});

async function redeem(token: string, shop = SHOP) {
  const { loader } = await import("./apps.proxy.preview");
  try {
    return (await loader(args(helpers.appProxyRequest("/preview", { shop, extra: { token } })))) as Response;
  } catch (e) {
    if (e instanceof Response) return e;
    throw e;
  }
}

describe("preview tokens", () => {
  it("GIVEN a token for a shop WHEN verified for that shop before expiry THEN it grants the play", () => {
    const now = Date.UTC(2026, 0, 1);
    expect(verifyPreviewToken(createPreviewToken(SHOP, "vip", now), SHOP, now + PREVIEW_TTL_MS - 1)).toBe("vip");
  });

  it("GIVEN a token WHEN verified after its expiry THEN it grants nothing", () => {
    const now = Date.UTC(2026, 0, 1);
    expect(verifyPreviewToken(createPreviewToken(SHOP, "vip", now), SHOP, now + PREVIEW_TTL_MS)).toBeNull();
  });

  it("GIVEN a token whose play was changed by hand WHEN verified THEN the signature fails", () => {
    const [payload, mac] = createPreviewToken(SHOP, "vip").split(".");
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, p: "deal_seeker" })).toString("base64url");
    expect(verifyPreviewToken(`${forged}.${mac}`, SHOP)).toBeNull();
  });
});

describe("GET /apps/proxy/preview", () => {
  it("GIVEN a valid token WHEN the storefront redeems it THEN it gets the play's current copy", async () => {
    const res = await redeem(createPreviewToken(SHOP, "confidence"));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ play: "confidence", kind: "returns_confidence" });
    const play = await prisma.playConfig.findUniqueOrThrow({ where: { shop_play: { shop: SHOP, play: "confidence" } } });
    const { heading, body: text } = JSON.parse(play.settings).message;
    expect({ heading: body.heading, body: body.body }).toEqual({ heading, body: text });
  });

  it("GIVEN another shop's token WHEN redeemed on this shop THEN the answer is 404", async () => {
    expect((await redeem(createPreviewToken(OTHER, "confidence"))).status).toBe(404);
  });

  it("GIVEN an expired token WHEN redeemed THEN the answer is 404", async () => {
    expect((await redeem(createPreviewToken(SHOP, "confidence", Date.now() - PREVIEW_TTL_MS - 1000))).status).toBe(404);
  });

  it("GIVEN no app proxy signature WHEN redeemed THEN the answer is 401", async () => {
    const { loader } = await import("./apps.proxy.preview");
    const token = createPreviewToken(SHOP, "confidence");
    let res: Response;
    try {
      res = (await loader(args(new Request(`http://localhost/apps/proxy/preview?shop=${SHOP}&token=${token}`)))) as Response;
    } catch (e) {
      res = e as Response;
    }
    expect(res.status).toBe(401);
  });
});

describe("POST /app/plays/:play/preview", () => {
  it("GIVEN the merchant WHEN a preview link is asked for THEN it opens the storefront with a token for this shop and play", async () => {
    const { action } = await import("./app.plays.$play.preview");
    const res = (await action(args(await helpers.adminRequest("/app/plays/vip/preview", { shop: SHOP, method: "POST" }), { play: "vip" }))) as Response;
    const { url } = await res.json();
    const u = new URL(url);
    expect(u.pathname).toBe("/cart");
    expect(verifyPreviewToken(u.searchParams.get("rp_preview"), SHOP)).toBe("vip");
    expect(verifyPreviewToken(u.searchParams.get("rp_preview"), OTHER)).toBeNull();
  });

  it("GIVEN an unknown play WHEN a preview link is asked for THEN the answer is 404", async () => {
    const { action } = await import("./app.plays.$play.preview");
    const res = (await action(args(await helpers.adminRequest("/app/plays/nope/preview", { shop: SHOP, method: "POST" }), { play: "nope" }))) as Response;
    expect(res.status).toBe(404);
  });
});
