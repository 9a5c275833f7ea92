// `npm run bench:model` — time of one propensity score (shipped model, varied realistic sessions) and the
// minified+gzipped size of the shipped params. Last line: {"scoreMicros","modelBytesGzip","storefrontModelBytesGzip"}:
// the whole model.json, and the part the theme embed bundles (base, quantum, nodes — no explanation values).
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { scorePropensity, SHIPPED_MODEL } from "../app/lib/propensity/index";
import { readSessionsCsv, TRAIN_CSV } from "../scripts/model/data";

const sessions = readSessionsCsv(TRAIN_CSV).map((r) => r.features);
const model = JSON.parse(readFileSync("app/lib/propensity/model.json", "utf8"));
const gzipBytes = (x: unknown) => gzipSync(Buffer.from(JSON.stringify(x)), { level: 9 }).length;
const modelBytesGzip = gzipBytes(model);
const storefrontModelBytesGzip = gzipBytes({ base: model.base, quantum: model.quantum, nodes: model.nodes });

let sink = 0;
// Warm-up: JIT and the compiled-model cache.
for (let i = 0; i < 200_000; i++) sink += scorePropensity(sessions[i % sessions.length], SHIPPED_MODEL);

const runs: number[] = [];
const perRun = 500_000;
for (let r = 0; r < 5; r++) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < perRun; i++) sink += scorePropensity(sessions[i % sessions.length], SHIPPED_MODEL);
  runs.push(Number(process.hrtime.bigint() - t0) / 1000 / perRun);
}
runs.sort((a, b) => a - b);
const scoreMicros = Number(runs[Math.floor(runs.length / 2)].toFixed(3));
process.stderr.write(`runs (µs/score): ${runs.map((x) => x.toFixed(3)).join(" ")}; checksum ${sink.toFixed(2)}\n`);
console.log(JSON.stringify({ scoreMicros, modelBytesGzip, storefrontModelBytesGzip }));
