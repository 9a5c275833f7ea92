import { describe, expect, it } from "vitest";
import { defaultSettings } from "../plays/defaults";
import { PLAY_KEYS } from "../plays/types";
import { validateBands, validatePlaySettings } from "./schema";
import { hasMessage } from "../../locales/i18n";

describe("play settings schema", () => {
  it.each(PLAY_KEYS)("GIVEN the shipped defaults of %s WHEN validated THEN they are accepted", (play) => {
    expect(validatePlaySettings(play, defaultSettings(play)).ok).toBe(true);
  });

  it("GIVEN a negative threshold WHEN validated THEN the field gets a too-small error", () => {
    const r = validatePlaySettings("confidence", { ...defaultSettings("confidence"), policyViewsMoreThan: -1 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.fieldErrors.policyViewsMoreThan).toEqual({ key: "errors.tooSmall", values: { min: 0 } });
  });

  it("GIVEN a holdout above 50 % WHEN validated THEN holdoutPercent is refused with the holdout message", () => {
    const r = validatePlaySettings("vip", { ...defaultSettings("vip"), holdoutPercent: 51 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.fieldErrors.holdoutPercent?.key).toBe("errors.holdoutMax");
  });

  it("GIVEN whitespace-only copy WHEN validated THEN message.heading is refused as empty", () => {
    const s = defaultSettings("indecision");
    const r = validatePlaySettings("indecision", { ...s, message: { ...s.message, heading: "   " } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.fieldErrors["message.heading"]?.key).toBe("errors.tooShort");
  });

  it("GIVEN a bundle discount above the cap WHEN validated THEN discountPercent names the cap", () => {
    const r = validatePlaySettings("deal_seeker", { ...defaultSettings("deal_seeker"), discountPercent: 20, discountCapPercent: 15 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.fieldErrors.discountPercent).toEqual({ key: "errors.discountAboveCap", values: { cap: 15 } });
  });

  it("GIVEN a surface the play cannot render on WHEN validated THEN surfaces is refused", () => {
    const r = validatePlaySettings("indecision", { ...defaultSettings("indecision"), surfaces: ["checkout"] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.fieldErrors)[0]).toMatch(/^surfaces/);
  });

  it("GIVEN an http (not https) concierge link WHEN validated THEN it is refused", () => {
    const r = validatePlaySettings("vip", { ...defaultSettings("vip"), conciergeContact: "http://example.com" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.fieldErrors.conciergeContact?.key).toBe("errors.contact");
  });

  it("GIVEN a high band not above the low band WHEN validated THEN bands.high is refused", () => {
    const r = validateBands({ low: 0.5, high: 0.4 });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.fieldErrors["bands.high"]?.key).toBe("errors.bandsOrder");
  });

  it("GIVEN every error a refused input can produce WHEN looked up THEN each key has English copy", () => {
    const inputs: [typeof PLAY_KEYS[number], unknown][] = [
      ["confidence", { ...defaultSettings("confidence"), policyViewsMoreThan: 1.5, noPurchaseSince: "yesterday", holdoutPercent: 90, surfaces: [] }],
      ["vip", { ...defaultSettings("vip"), segments: [], stallSeconds: "x", message: { heading: "", body: "x".repeat(400), cta: "" } }],
      ["deal_seeker", { ...defaultSettings("deal_seeker"), discountPercent: 50 }],
    ];
    for (const [play, input] of inputs) {
      const r = validatePlaySettings(play, input);
      expect(r.ok).toBe(false);
      if (!r.ok) for (const e of Object.values(r.fieldErrors)) expect(hasMessage(e.key), e.key).toBe(true);
    }
  });
});
