// The dev store refuses a theme app extension that `shopify app deploy` would refuse, with the CLI's words; and
// the rules it applies (devstore/extension-rules.ts) agree with the Shopify CLI's own compiled
// preDeployValidation on the same directories, so the copy cannot drift from the CLI unnoticed.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadCliSpecifications } from "../../../scripts/validate-extensions";
import { MAX_APP_BLOCKS, ThemeExtensionRefused, themeExtensionProblems } from "../../extension-rules";
import { ExtensionLoader } from "../extension";
import { DEFAULT_EXTENSION_DIR } from "../index";

const temps: string[] = [];
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A temp copy of the real extension, changed by `change`. */
function copyOfExtension(change: (dir: string) => void = () => {}): string {
  const root = mkdtempSync(path.join(tmpdir(), "rp-ext-"));
  temps.push(root);
  const dir = path.join(root, "recovery-plays-theme");
  cpSync(DEFAULT_EXTENSION_DIR, dir, { recursive: true });
  change(dir);
  return dir;
}

function refusal(dir: string): ThemeExtensionRefused {
  try {
    new ExtensionLoader(dir).get();
  } catch (e) {
    if (e instanceof ThemeExtensionRefused) return e;
    throw e;
  }
  throw new Error(`the dev store loaded ${dir} without complaint`);
}

const MB = 1024 * 1024;

describe("dev store loading a theme app extension deploy would refuse", () => {
  it("GIVEN the real extension WHEN the dev store loads it THEN it loads (deploy would accept it)", () => {
    expect(themeExtensionProblems(DEFAULT_EXTENSION_DIR).map((p) => p.message)).toEqual([]);
    expect(new ExtensionLoader(DEFAULT_EXTENSION_DIR).get()?.blocks.size).toBeGreaterThan(0);
  });

  it("GIVEN a copy with a stray test/ folder WHEN the dev store loads it THEN it refuses with the CLI's message", () => {
    const dir = copyOfExtension((d) => {
      mkdirSync(path.join(d, "test"));
      writeFileSync(path.join(d, "test", "liquid.ts"), "export {};\n");
    });
    const e = refusal(dir);
    expect(e.message).toContain("Your theme app extension includes files in an unsupported directory, test");
    expect(e.message).toContain("Make sure all theme app extension files are in the supported directories: assets, blocks, locales, snippets");
  });

  it("GIVEN a loaded extension that turns invalid WHEN the dev store is asked again THEN it keeps refusing (no stale extension served)", () => {
    const root = mkdtempSync(path.join(tmpdir(), "rp-ext-"));
    temps.push(root);
    const dir = path.join(root, "minimal");
    mkdirSync(path.join(dir, "blocks"), { recursive: true });
    writeFileSync(path.join(dir, "blocks", "a.liquid"), `<p>a</p>{% schema %}{"name":"A","target":"section"}{% endschema %}`);
    const loader = new ExtensionLoader(dir);
    expect(loader.get()).not.toBeNull();
    mkdirSync(path.join(dir, "test"));
    writeFileSync(path.join(dir, "test", "x.ts"), "export {};\n");
    // The loader re-reads at most every 500 ms; wait past that window so it sees the new folder.
    const until = Date.now() + 600;
    while (Date.now() < until) { /* spin: the loader's clock is Date.now */ }
    expect(() => loader.get()).toThrow(ThemeExtensionRefused);
    expect(() => loader.get()).toThrow(ThemeExtensionRefused);
  });

  it("GIVEN an asset type the CLI does not accept WHEN loaded THEN it is refused naming the file", () => {
    const e = refusal(copyOfExtension((d) => writeFileSync(path.join(d, "assets", "helper.ts"), "export {};\n")));
    expect(e.message).toContain("Invalid filename in your theme app extension: assets/helper.ts");
    expect(e.message).toContain("Only these filetypes are supported in assets: .jpg, .jpeg, .json, .js, .css, .png, .svg, .wasm");
  });

  it("GIVEN assets totalling more than 10 MB WHEN loaded THEN it is refused with the size", () => {
    const e = refusal(copyOfExtension((d) => writeFileSync(path.join(d, "assets", "huge.js"), Buffer.alloc(10 * MB + 1, 0x20))));
    expect(e.message).toMatch(/Your theme app extension exceeds the file size limit \(10 MB\)\. It's currently 10\.\d\d MB\./);
  });

  it("GIVEN Liquid totalling more than 500 kB WHEN loaded THEN it is refused with the Liquid size", () => {
    const e = refusal(copyOfExtension((d) => writeFileSync(path.join(d, "snippets", "huge.liquid"), Buffer.alloc(500 * 1024, 0x20))));
    expect(e.message).toMatch(/Your theme app extension exceeds the total liquid file size limit \(500 kB\)\. It's currently \d+\.\d\d kB\./);
  });

  it(`GIVEN more than ${MAX_APP_BLOCKS} blocks WHEN loaded THEN it is refused`, () => {
    const e = refusal(
      copyOfExtension((d) => {
        for (let i = 0; i < MAX_APP_BLOCKS; i++) {
          writeFileSync(path.join(d, "blocks", `extra-${i}.liquid`), `<p>x</p>{% schema %}{"name":"Extra ${i}","target":"section"}{% endschema %}`);
        }
      }),
    );
    expect(e.problems.map((p) => p.rule)).toContain("block_count");
  });

  it("GIVEN a block name over 25 characters, directly or through the schema locale WHEN loaded THEN both are refused", () => {
    const e = refusal(
      copyOfExtension((d) => {
        writeFileSync(path.join(d, "blocks", "long.liquid"), `{% schema %}{"name":"A name that is far longer than 25","target":"section"}{% endschema %}`);
        const localePath = path.join(d, "locales", "en.default.schema.json");
        const locale = JSON.parse(readFileSync(localePath, "utf8")) as { blocks: Record<string, { name: string }> };
        locale.blocks.long_t = { name: "Also a name longer than 25 chars" };
        writeFileSync(localePath, JSON.stringify(locale));
        writeFileSync(path.join(d, "blocks", "long-t.liquid"), `{% schema %}{"name":"t:blocks.long_t.name","target":"section"}{% endschema %}`);
      }),
    );
    const names = e.problems.filter((p) => p.rule === "schema_name").map((p) => p.message);
    expect(names).toEqual(
      expect.arrayContaining([
        "blocks/long.liquid: Invalid schema: name is too long (max 25 characters): 'A name that is far longer than 25'",
        "blocks/long-t.liquid: Invalid schema: name is too long (max 25 characters): 'Also a name longer than 25 chars'",
      ]),
    );
  });
});

describe("the dev store's rules against the Shopify CLI's own preDeployValidation", () => {
  // Each case: a change to a copy of the real extension. The CLI stops at its first error; the rules list all,
  // so the CLI's message must be one of the rules' CLI-rule messages, and both must pass together.
  const cases: [string, (dir: string) => void][] = [
    ["the extension as it is", () => {}],
    ["a stray test/ folder", (d) => { mkdirSync(path.join(d, "test")); writeFileSync(path.join(d, "test", "x.ts"), "x"); }],
    ["a top-level test file (the CLI only reads one folder deep)", (d) => writeFileSync(path.join(d, "theme.test.ts"), "x")],
    ["a nested assets folder (not read, not uploaded)", (d) => { mkdirSync(path.join(d, "assets", "sub")); writeFileSync(path.join(d, "assets", "sub", "x.ts"), "x"); }],
    ["a .ts file in assets", (d) => writeFileSync(path.join(d, "assets", "x.ts"), "x")],
    ["a hidden file in assets", (d) => writeFileSync(path.join(d, "assets", ".env"), "x")],
    ["an ignored .DS_Store and .gitkeep", (d) => { writeFileSync(path.join(d, "assets", ".DS_Store"), "x"); writeFileSync(path.join(d, "blocks", ".gitkeep"), ""); }],
    ["a .txt file in locales", (d) => writeFileSync(path.join(d, "locales", "notes.txt"), "x")],
    ["a .json file in snippets", (d) => writeFileSync(path.join(d, "snippets", "x.json"), "{}")],
    ["a hidden .shopify folder", (d) => { mkdirSync(path.join(d, ".shopify")); writeFileSync(path.join(d, ".shopify", "cache.json"), "{}"); }],
    ["a stray folder listed in .shopifyignore", (d) => { mkdirSync(path.join(d, "test")); writeFileSync(path.join(d, "test", "x.ts"), "x"); writeFileSync(path.join(d, ".shopifyignore"), "test/*\n"); }],
    ["assets over 10 MB", (d) => writeFileSync(path.join(d, "assets", "huge.js"), Buffer.alloc(10 * MB + 1, 0x20))],
    ["Liquid over 500 kB", (d) => writeFileSync(path.join(d, "snippets", "huge.liquid"), Buffer.alloc(500 * 1024, 0x20))],
  ];
  const CLI_RULES = new Set(["directory", "filename", "bundle_size", "liquid_size"]);

  for (const [name, change] of cases) {
    it(`GIVEN ${name} WHEN the CLI's function and the dev store's rules judge it THEN they agree`, async () => {
      const dir = copyOfExtension(change);
      const theme = (await loadCliSpecifications()).get("theme");
      expect(theme?.preDeployValidation).toBeTypeOf("function");
      let cliMessage: string | null = null;
      try {
        await theme!.preDeployValidation!({ directory: dir, handle: "recovery-plays-theme", configuration: {}, outputPath: dir });
      } catch (e) {
        cliMessage = (e as Error).message;
      }
      const ours = themeExtensionProblems(dir).filter((p) => CLI_RULES.has(p.rule)).map((p) => p.message);
      if (cliMessage === null) expect(ours).toEqual([]);
      else expect(ours).toContain(cliMessage);
    }, 60_000);
  }
});
