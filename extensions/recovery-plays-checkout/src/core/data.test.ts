// @vitest-environment node
import { describe, expect, test } from "vitest";
import { configEntry, customer, profileEntry, publishedConfig } from "../testing/fixtures";
import { readConfig, readProfileMetafield, storefrontPlays, visitorIdFrom } from "./data";

describe("readConfig", () => {
  test("GIVEN the published config on the shop WHEN read THEN returns the enabled plays and shop facts", () => {
    const config = readConfig([configEntry(publishedConfig(["vip", "confidence"], { shop: { aov: 42 } }))]);

    expect(Object.keys(config!.plays).sort()).toEqual(["confidence", "vip"]);
    expect(config!.shop).toMatchObject({ currency: "USD", aov: 42 });
  });

  test("GIVEN a play whose settings are missing required fields WHEN read THEN that play is treated as off", () => {
    const raw = publishedConfig(["vip", "confidence"]) as unknown as { plays: { vip: Record<string, unknown> } };
    delete raw.plays.vip.segments;

    expect(Object.keys(readConfig([configEntry(raw)])!.plays)).toEqual(["confidence"]);
  });

  test("GIVEN a metafield from another namespace WHEN read THEN there is no config", () => {
    const entry = configEntry(publishedConfig(["vip"]));
    entry.metafield.namespace = "custom";

    expect(readConfig([entry])).toBeNull();
  });

  test("GIVEN invalid JSON WHEN read THEN there is no config", () => {
    expect(readConfig([configEntry("{")])).toBeNull();
  });
});

describe("readProfileMetafield", () => {
  test("GIVEN a customer profile metafield WHEN read THEN returns the CustomerContext", () => {
    expect(readProfileMetafield([profileEntry(customer({ segment: "CHAMPIONS" }))])).toMatchObject({ segment: "CHAMPIONS" });
  });

  test("GIVEN a profile with an unknown segment WHEN read THEN it is ignored", () => {
    const entry = profileEntry(customer());
    entry.metafield.value = JSON.stringify({ ...customer(), segment: "WHALES" });

    expect(readProfileMetafield([entry])).toBeNull();
  });
});

describe("visitorIdFrom", () => {
  test("GIVEN the storefront's _rp_vid attribute WHEN resolved THEN uses it as is", () => {
    expect(visitorIdFrom([{ key: "_rp_vid", value: "abc" }], "tok")).toEqual({ id: "abc", derived: false });
  });

  test("GIVEN no attribute but a checkout token WHEN resolved THEN derives a stable id from the token", () => {
    expect(visitorIdFrom([], "tok")).toEqual({ id: "ct_tok", derived: true });
  });

  test("GIVEN neither WHEN resolved THEN there is no visitor id", () => {
    expect(visitorIdFrom([], undefined)).toBeNull();
  });
});

describe("storefrontPlays", () => {
  test("GIVEN the _rp_plays attribute WHEN parsed THEN returns the known plays it mentions", () => {
    const plays = storefrontPlays([{ key: "_rp_plays", value: "deal_seeker:treatment:shown, vip:holdout:eligible,bogus:x:y" }]);

    expect([...plays].sort()).toEqual(["deal_seeker", "vip"]);
  });
});
