import { describe, expect, it } from "vitest";
import { CHECKOUT_STEPS, PIXEL_CHECKOUT_EVENTS, STEP_AFTER, furthest, stallStep, stallSummary, visitorFromAttributes } from "./checkout";

const at = (min: number) => new Date(Date.UTC(2026, 11, 1, 12, min));

describe("checkout steps", () => {
  it("GIVEN the standard checkout events WHEN mapped THEN they walk the steps in order and end completed", () => {
    const seq = PIXEL_CHECKOUT_EVENTS.map((e) => STEP_AFTER[e]).filter((s) => s !== "completed");
    const order = seq.map((s) => CHECKOUT_STEPS.indexOf(s as (typeof CHECKOUT_STEPS)[number]));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(STEP_AFTER.checkout_completed).toBe("completed");
  });

  it("GIVEN a shopper who went back to contact after payment WHEN the furthest step is taken THEN it stays payment", () => {
    expect(furthest(furthest("contact", "payment"), "contact")).toBe("payment");
  });
});

describe("stall step of an abandoned checkout", () => {
  it("GIVEN pixel steps inside the checkout's lifetime and one from another visit WHEN joined THEN only the ones inside count", () => {
    const steps = [{ step: "shipping", at: at(1) }, { step: "payment", at: at(2) }, { step: "review", at: at(50) }];
    expect(stallStep(steps, at(0), at(3))).toBe("payment");
  });

  it("GIVEN no pixel data WHEN joined THEN Shopify's definition applies: contact was given, so shipping", () => {
    expect(stallStep([], at(0), at(3))).toBe("shipping");
  });
});

describe("stall summary", () => {
  it("GIVEN two abandons at payment and an older one at shipping WHEN summarised THEN payment, twice, of three", () => {
    expect(stallSummary([{ step: "shipping", at: at(1) }, { step: "payment", at: at(2) }, { step: "payment", at: at(3) }])).toEqual({ step: "payment", atStep: 2, total: 3 });
  });

  it("GIVEN no abandons WHEN summarised THEN nothing", () => {
    expect(stallSummary([])).toBeNull();
  });
});

describe("visitor attribute", () => {
  it("GIVEN checkout attributes WHEN read THEN the _rp_vid value is the visitor, blank or oversized ones are not", () => {
    expect(visitorFromAttributes([{ key: "gift", value: "1" }, { key: "_rp_vid", value: "abc.def" }])).toBe("abc.def");
    expect(visitorFromAttributes([{ key: "_rp_vid", value: "" }])).toBeNull();
    expect(visitorFromAttributes([{ key: "_rp_vid", value: "x".repeat(200) }])).toBeNull();
  });
});
