import { describe, expect, it } from "vitest";
import { DEFAULT_BANDS } from "../plays/defaults";
import type { Decision } from "../decisions/types";
import { bandFreeDecision } from "./bands";

const none: Decision = { eligible: [], show: null };
const dealSeeker: Decision = { eligible: [{ play: "deal_seeker", arm: "treatment" }], show: null };

describe("deciding before the scorer is loaded", () => {
  it("GIVEN a decision no band changes WHEN decided per band THEN that decision stands", () => {
    const seen: number[] = [];
    expect(bandFreeDecision((p) => (seen.push(p), none), DEFAULT_BANDS)).toEqual(none);
    expect(seen).toEqual([0, DEFAULT_BANDS.low, DEFAULT_BANDS.high]);
  });
  it("GIVEN a play eligible only in the low band WHEN decided per band THEN the scorer is needed (null)", () => {
    expect(bandFreeDecision((p) => (p < DEFAULT_BANDS.low ? dealSeeker : none), DEFAULT_BANDS)).toBeNull();
  });
  it("GIVEN a rule that holds only in the medium band WHEN decided per band THEN the scorer is needed (null)", () => {
    expect(bandFreeDecision((p) => (p >= DEFAULT_BANDS.low && p < DEFAULT_BANDS.high ? dealSeeker : none), DEFAULT_BANDS)).toBeNull();
  });
});
