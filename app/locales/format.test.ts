import { describe, expect, it } from "vitest";
import { formatDay } from "./format";

describe("formatDay", () => {
  it("GIVEN a calendar day WHEN formatted THEN it is that day whatever the runtime's zone (no shift to the day before)", () => {
    const before = process.env.TZ;
    try {
      for (const tz of ["UTC", "America/Los_Angeles", "Pacific/Kiritimati"]) {
        process.env.TZ = tz;
        expect(formatDay("2026-03-01", "en-US")).toBe("Mar 1, 2026");
      }
    } finally {
      process.env.TZ = before;
    }
  });

  it.each([[null], [""], ["2026-3-1"], ["2026-02-30T00:00"], ["yesterday"]])("GIVEN %j WHEN formatted THEN null", (v) => {
    expect(formatDay(v as string | null, "en-US")).toBeNull();
  });
});
