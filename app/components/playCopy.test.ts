import { describe, expect, it } from "vitest";
import { defaultSettings } from "../lib/plays/defaults";
import { createTranslator } from "../locales/i18n";
import { formatDay } from "../locales/format";
import { segmentSentence } from "./playCopy";

describe("segmentSentence", () => {
  it("GIVEN a 'no purchase since' date WHEN described to a merchant west of UTC THEN it names that same date", () => {
    const before = process.env.TZ;
    process.env.TZ = "America/Los_Angeles";
    try {
      const settings = { ...defaultSettings("confidence"), noPurchaseSince: "2026-03-01" };
      const text = segmentSentence(createTranslator("en"), "confidence", settings, (d) => formatDay(d, "en-US"));
      expect(text).toContain("Mar 1, 2026");
    } finally {
      process.env.TZ = before;
    }
  });
});
