// @vitest-environment node
import { describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "smol-toml";
import { configEntry, publishedConfig, VISITOR_ID } from "../testing/fixtures";
import { cartVisitorId, METAFIELD_NAMESPACE, readConfig, storefrontPlays, toServerVisitor } from "./data";

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

describe("app metafield namespace", () => {
  // Checkout UI extensions, Metafields API (appMetafields): "App owned metafields are supported and are returned
  // using the `$app` format. The fully qualified reserved namespace format such as
  // `app--{your-app-id}[--{optional-namespace}]` is not supported."
  test("GIVEN the extension toml WHEN its metafields are read THEN it declares only the config, in the $app: form the reader matches", () => {
    const toml = parse(readFileSync(path.resolve(import.meta.dirname, "../../shopify.extension.toml"), "utf8")) as {
      extensions: { metafields?: { namespace: string; key: string }[]; targeting: { metafields?: unknown[] }[] }[];
    };
    const declared = toml.extensions.flatMap((e) => [...(e.metafields ?? []), ...e.targeting.flatMap((t) => t.metafields ?? [])]);

    expect(declared).toEqual([{ namespace: METAFIELD_NAMESPACE, key: "config" }]);
    expect(METAFIELD_NAMESPACE).toMatch(/^\$app:/);
  });

  test("GIVEN the config under the fully qualified or the plain namespace WHEN read THEN there is no config", () => {
    for (const namespace of ["app--4000000001--recovery_plays", "recovery_plays"]) {
      const entry = configEntry(publishedConfig(["vip"]));
      entry.metafield.namespace = namespace;
      expect(readConfig([entry])).toBeNull();
    }
  });
});

describe("toServerVisitor", () => {
  test("GIVEN the profile endpoint's visitor WHEN read THEN keeps the signed id and the arms it gives", () => {
    const raw = { id: VISITOR_ID, arms: { vip: "holdout", confidence: "treatment", bogus: "treatment" } };

    expect(toServerVisitor(raw)).toEqual({ id: VISITOR_ID, arms: { vip: "holdout", confidence: "treatment" } });
  });

  test("GIVEN an id not in the signed format, or arms that are not arms WHEN read THEN the visitor or the arm is dropped", () => {
    expect(toServerVisitor({ id: "ct_tok123", arms: {} })).toBeNull();
    expect(toServerVisitor({ id: VISITOR_ID })).toBeNull();
    expect(toServerVisitor({ id: VISITOR_ID, arms: { vip: "control" } })).toEqual({ id: VISITOR_ID, arms: {} });
  });
});

describe("cartVisitorId", () => {
  test("GIVEN the cart's _rp_vid WHEN read THEN returns it as is, and nothing is derived without it", () => {
    expect(cartVisitorId([{ key: "_rp_vid", value: "abc" }])).toBe("abc");
    expect(cartVisitorId([])).toBeUndefined();
  });
});

describe("storefrontPlays", () => {
  test("GIVEN the _rp_plays attribute WHEN parsed THEN returns the known plays it mentions", () => {
    const plays = storefrontPlays([{ key: "_rp_plays", value: "deal_seeker:treatment:shown, vip:holdout:eligible,bogus:x:y" }]);

    expect([...plays].sort()).toEqual(["deal_seeker", "vip"]);
  });
});
