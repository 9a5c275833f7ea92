// @vitest-environment node
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "smol-toml";
import { describe, expect, test } from "vitest";
import { CHECKOUT_EXTENSION_HANDLE, CHECKOUT_TARGETS, targetsForPlan } from "./targets";

const toml = parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), "../shopify.extension.toml"), "utf8")) as {
  extensions: Array<{ handle: string; targeting: Array<{ target: string; module: string }> }>;
};

describe("CHECKOUT_TARGETS", () => {
  test("GIVEN the extension TOML WHEN compared THEN the exported list names exactly its targets and handle", () => {
    expect(toml.extensions[0].handle).toBe(CHECKOUT_EXTENSION_HANDLE);
    expect(CHECKOUT_TARGETS.map((t) => t.target).sort()).toEqual(toml.extensions[0].targeting.map((t) => t.target).sort());
  });

  test("GIVEN a non-Plus shop WHEN listing usable targets THEN only thank-you targets remain", () => {
    expect(targetsForPlan(false).map((t) => t.target)).toEqual(["purchase.thank-you.block.render"]);
  });
});
