import { describe, expect, it } from "vitest";
import prisma from "../db.server";
import { readSessionsCsv, TRAIN_CSV } from "../../scripts/model/data";
import { mulberry32 } from "../../scripts/model/random";
import { propensityLogit, sigmoid, SHIPPED_MODEL } from "../lib/propensity/index";
import type { ShopSession } from "../lib/propensity/adapt";
import { adaptAndSaveShopModel, deleteShopModel, loadShopModel, saveShopModel } from "./propensity.server";

const features = readSessionsCsv(TRAIN_CSV).map((r) => r.features);

function shopSessions(n: number, shift: number, seed: number): ShopSession[] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const f = features[(i * 104729) % features.length];
    return { features: f, purchased: rand() < sigmoid(propensityLogit(f) + shift), at: i };
  });
}

describe("propensity.server", () => {
  it("GIVEN a shop without an adapted model WHEN loaded THEN the shipped model is used", async () => {
    const s = await loadShopModel("fresh.myshopify.com");
    expect(s.source).toBe("shipped");
    expect(s.model).toBe(SHIPPED_MODEL);
  });

  it("GIVEN a saved shop model WHEN loaded THEN its calibration applies to that shop only", async () => {
    const adapted = { ...SHIPPED_MODEL, calibration: { scale: 0.9, shift: -0.7 } };
    const v1 = await saveShopModel("a.myshopify.com", adapted, { note: "test" });
    const v2 = await saveShopModel("a.myshopify.com", adapted);
    expect(v2).toBe(v1 + 1);
    const a = await loadShopModel("a.myshopify.com");
    expect(a.source).toBe("shop");
    expect(a.model.calibration).toEqual({ scale: 0.9, shift: -0.7 });
    expect((await loadShopModel("b.myshopify.com")).source).toBe("shipped");
  });

  it("GIVEN a layer fitted on a different shipped tree set WHEN loaded THEN the shop falls back to the shipped model", async () => {
    await prisma.shopModel.create({
      data: { shop: "stale.myshopify.com", params: JSON.stringify({ model: "deadbeef", calibration: { scale: 2, shift: 1 } }) },
    });
    const s = await loadShopModel("stale.myshopify.com");
    expect(s.source).toBe("shipped");
    expect(s.model.calibration).toBeUndefined();
  });

  it("GIVEN corrupt stored params WHEN loaded THEN the shipped model is used instead of failing", async () => {
    await prisma.shopModel.create({ data: { shop: "corrupt.myshopify.com", params: "{not json" } });
    expect((await loadShopModel("corrupt.myshopify.com")).source).toBe("shipped");
  });

  it("GIVEN a shop that behaves like the prior WHEN adapted THEN nothing is saved", async () => {
    const choice = await adaptAndSaveShopModel("same.myshopify.com", shopSessions(3000, 0, 11));
    expect(choice.chosen).toBe("current");
    expect(await prisma.shopModel.findUnique({ where: { shop: "same.myshopify.com" } })).toBeNull();
  });

  it("GIVEN a shop converting less than the prior WHEN adapted THEN the better model is saved and then served", async () => {
    const choice = await adaptAndSaveShopModel("low.myshopify.com", shopSessions(4000, -1.2, 12));
    expect(choice.chosen).toBe("candidate");
    const s = await loadShopModel("low.myshopify.com");
    expect(s.source).toBe("shop");
    expect(s.model.calibration!.shift).toBeLessThan(0);
    await deleteShopModel("low.myshopify.com");
    expect((await loadShopModel("low.myshopify.com")).source).toBe("shipped");
  });
});
