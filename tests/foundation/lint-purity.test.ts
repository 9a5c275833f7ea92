// The purity rule of eslint.config.js, exercised on a file it has never seen: app/lib is bundled into the
// storefront, checkout and Function, so a Node import there must fail lint.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ESLint } from "eslint";

const root = process.cwd();
const dirs: string[] = [];

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function lintNew(dir: string, source: string) {
  const tmp = mkdtempSync(path.join(root, dir, "lint-probe-"));
  dirs.push(tmp);
  const file = path.join(tmp, "probe.ts");
  writeFileSync(file, source);
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintFiles([file]);
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe("app/lib purity rule", () => {
  it("GIVEN a module in app/lib/decisions that imports node:fs WHEN linted THEN no-restricted-imports reports it", async () => {
    const messages = await lintNew("app/lib/decisions", `import { readFileSync } from "node:fs";\nexport const read = (p: string) => readFileSync(p, "utf8");\n`);
    expect(messages).toEqual([expect.stringMatching(/^no-restricted-imports: .*node:fs.*app\/lib is pure/)]);
  }, 60_000);

  it("GIVEN a module in app/lib/decisions that reads window WHEN linted THEN no-restricted-globals reports it", async () => {
    const messages = await lintNew("app/lib/decisions", `export const width = () => window.innerWidth;\n`);
    expect(messages).toEqual([expect.stringMatching(/^no-restricted-globals: .*window/)]);
  }, 60_000);

  it("GIVEN a module in app/lib/storefront that reads window WHEN linted THEN it passes (the storefront library owns the DOM)", async () => {
    const messages = await lintNew("app/lib/storefront", `export const width = () => window.innerWidth;\n`);
    expect(messages).toEqual([]);
  }, 60_000);

  it("GIVEN a module in app/models that imports node:fs WHEN linted THEN it passes (server code may use Node)", async () => {
    const messages = await lintNew("app/models", `import { readFileSync } from "node:fs";\nexport const read = (p: string) => readFileSync(p, "utf8");\n`);
    expect(messages).toEqual([]);
  }, 60_000);
});
