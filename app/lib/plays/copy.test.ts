import { describe, expect, it } from "vitest";
import { DEFAULT_SETTINGS } from "./defaults";
import { fillCopy, RETURN_DAYS_TOKEN, shownMessage } from "./copy";

describe("copy that follows settings", () => {
  it("GIVEN a 14-day return window WHEN the default reassurance copy is shown THEN it says 14 days, never the default 30", () => {
    for (const play of ["confidence", "indecision"] as const) {
      const shown = shownMessage({ ...DEFAULT_SETTINGS[play], returnDays: 14 });
      expect(JSON.stringify(shown)).toMatch(/14/);
      expect(JSON.stringify(shown)).not.toMatch(/30|\{return_days\}/);
    }
  });
  it("GIVEN the default copy of the plays that promise returns THEN each names the return window through the placeholder", () => {
    expect(DEFAULT_SETTINGS.confidence.message.body).toContain(RETURN_DAYS_TOKEN);
    expect(DEFAULT_SETTINGS.indecision.message.body).toContain(RETURN_DAYS_TOKEN);
  });
  it("GIVEN a play without a return window WHEN its copy is filled THEN the text is unchanged", () => {
    expect(fillCopy(`x ${RETURN_DAYS_TOKEN}`, undefined)).toBe(`x ${RETURN_DAYS_TOKEN}`);
    expect(fillCopy(`${RETURN_DAYS_TOKEN}/${RETURN_DAYS_TOKEN}`, 7)).toBe("7/7");
  });
});
