import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const dir = mkdtempSync(path.join(tmpdir(), "rp-eval-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lines = readFileSync("data/online-shoppers/train.csv", "utf8").trim().split("\n");

function evaluate(csvPath: string) {
  return run(process.execPath, ["--import", "tsx", "scripts/model/evaluate.ts", csvPath], { cwd: process.cwd() });
}

describe("model:evaluate CLI", () => {
  it("GIVEN a CSV with the training columns WHEN evaluated THEN stdout is one JSON line with n, auc, brier, logloss, accuracy, f1", async () => {
    const file = path.join(dir, "sample.csv");
    writeFileSync(file, [lines[0], ...lines.slice(1, 801)].join("\n"));
    const { stdout } = await evaluate(file);
    const out = stdout.trim().split("\n");
    expect(out).toHaveLength(1);
    const m = JSON.parse(out[0]);
    expect(Object.keys(m)).toEqual(["n", "auc", "brier", "logloss", "accuracy", "f1"]);
    expect(m.n).toBe(800);
    for (const k of ["auc", "brier", "accuracy", "f1"]) {
      expect(m[k]).toBeGreaterThanOrEqual(0);
      expect(m[k]).toBeLessThanOrEqual(1);
    }
    expect(m.logloss).toBeGreaterThan(0);
  });

  it("GIVEN a CSV missing a required column WHEN evaluated THEN it exits non-zero with the reason on stderr", async () => {
    const file = path.join(dir, "broken.csv");
    writeFileSync(file, "Administrative,Revenue\n1,TRUE\n");
    await expect(evaluate(file)).rejects.toMatchObject({ code: 1, stdout: "", stderr: expect.stringMatching(/missing column/) });
  });
});
