import { describe, expect, it } from "vitest";
import { PROFILE_FIELDS, PROFILE_NAMESPACE } from "./fields";
import { encodeValue, historyLine, metafieldInputs, paginatedCalls } from "./encode";
import { APP_TAGS, desiredTags, tagChanges } from "./tags";
import { appIdOf, READY_SEGMENTS, segmentQuery } from "./segments";
import { hesitatedPayload } from "./flow";

describe("metafield contract", () => {
  it("GIVEN the contract WHEN read THEN keys are unique, 2–64 safe characters, and only text/number/boolean fields are segment-filterable", () => {
    const keys = PROFILE_FIELDS.map((f) => f.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const f of PROFILE_FIELDS) {
      expect(f.key).toMatch(/^[a-z0-9_]{2,64}$/);
      expect(f.segmentFilterable).toBe(/^(single_line_text_field|number_decimal|number_integer|boolean)$/.test(f.type));
    }
  });
});

describe("encoding", () => {
  it("GIVEN a history row WHEN its JSONL line is built THEN it parses to metafieldsSet variables equal to the general encoder's", () => {
    const line = JSON.parse(historyLine({ customerId: "42", stage: "loyalist", segment: "CHAMPIONS", aov: 123.456 }));
    const general = metafieldInputs("42", { stage: "loyalist", rfm_group: "CHAMPIONS", aov: 123.456 }, false);
    expect(line).toEqual({ metafields: general });
    expect(general.find((m) => m.key === "aov")?.value).toBe("123.46");
    expect(general.every((m) => m.namespace === PROFILE_NAMESPACE && m.ownerId === "gid://shopify/Customer/42")).toBe(true);
  });

  it("GIVEN behaviour values WHEN the customer has no storefront consent THEN only the order-history fields are written", () => {
    const values = { stage: "repeat_customer", holdout: true, plays_seen: ["vip"], hesitation_barrier: "price" } as const;
    expect(metafieldInputs("1", { ...values, plays_seen: [...values.plays_seen] }, false).map((m) => m.key)).toEqual(["stage"]);
    const consented = metafieldInputs("1", { ...values, plays_seen: [...values.plays_seen] }, true);
    expect(consented.map((m) => [m.key, m.value])).toEqual([["stage", "repeat_customer"], ["hesitation_barrier", "price"], ["plays_seen", '["vip"]'], ["holdout", "true"]]);
  });

  it("GIVEN text with a line break WHEN encoded as single line text THEN it stays on one line", () => {
    expect(encodeValue("stage", "a\nb")).toBe("a b");
  });

  it("GIVEN 100 customers of 3 metafields WHEN paginated at 25 a call THEN 12 calls", () => {
    expect(paginatedCalls(300)).toBe(12);
  });
});

describe("tags", () => {
  it("GIVEN a lapsing Champion who hesitated on price WHEN tags are derived THEN all three app tags", () => {
    expect(desiredTags({ segment: "CHAMPIONS", stage: "lapsing_loyalist", barrier: "price" })).toEqual([...APP_TAGS]);
  });

  it("GIVEN a merchant's tags and stale app tags WHEN compared with what is true THEN only app tags are added or removed", () => {
    expect(tagChanges(["wholesale", "rp:lapsing", "RP:Champion"], ["rp:champion"])).toEqual({ add: [], remove: ["rp:lapsing"] });
    expect(tagChanges(["wholesale"], ["rp:hesitated-price"])).toEqual({ add: ["rp:hesitated-price"], remove: [] });
  });
});

describe("segments and Flow", () => {
  it("GIVEN the app id WHEN each ready segment's query is built THEN it reads the stored app namespace", () => {
    expect(appIdOf("gid://shopify/App/4000000001")).toBe("4000000001");
    for (const s of READY_SEGMENTS) expect(segmentQuery(s, "99")).toContain("metafields.app--99--recovery_plays.");
  });

  it("GIVEN a hesitation WHEN the payload is built THEN the barrier follows the play and the ratio the AOV", () => {
    const p = hesitatedPayload({ customerId: "5", play: "deal_seeker", cartValue: 90, aov: 60, propensityBand: "low", storefrontUrl: "https://s.example/cart", holdout: true });
    expect(p).toEqual({ customer_id: 5, play: "deal_seeker", barrier: "price", "cart value": 90, "cart aov ratio": 1.5, "propensity band": "low", "storefront url": "https://s.example/cart", holdout: true });
    expect(hesitatedPayload({ customerId: "5", play: "vip", cartValue: 90, aov: 0, propensityBand: null, storefrontUrl: "https://s/", holdout: false })["cart aov ratio"]).toBe(0);
  });
});
