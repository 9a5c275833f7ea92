// Reads the Online Shoppers CSV (UCI column names) into the app's PropensityFeatures plus the label.
// Column → signal mapping is documented in docs/propensity.md. OperatingSystems, Browser, Region and TrafficType
// are read past on purpose: they are anonymised codes of the source store and do not exist in ours.
import { readFileSync } from "node:fs";
import type { PropensityFeatures } from "../../app/lib/propensity/features";

export interface LabelledSession {
  features: PropensityFeatures;
  /** 1 when the session ended in a purchase (Revenue = TRUE). */
  label: 0 | 1;
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

const REQUIRED = [
  "Administrative",
  "Administrative_Duration",
  "Informational",
  "Informational_Duration",
  "ProductRelated",
  "ProductRelated_Duration",
  "BounceRates",
  "ExitRates",
  "PageValues",
  "SpecialDay",
  "Month",
  "VisitorType",
  "Weekend",
  "Revenue",
] as const;

function bool(v: string): boolean {
  const s = v.trim().toLowerCase();
  return s === "true" || s === "1";
}

function num(v: string): number {
  const x = Number(v);
  // The dataset has a handful of negative/missing durations in some copies; a missing count is "none seen".
  return Number.isFinite(x) && x > 0 ? x : 0;
}

function month(v: string): number {
  const m = MONTHS.indexOf(v.trim().slice(0, 3).toLowerCase());
  if (m >= 0) return m + 1;
  const n = Number(v);
  return Number.isInteger(n) && n >= 1 && n <= 12 ? n : 0;
}

function visitorType(v: string): PropensityFeatures["visitorType"] {
  const s = v.trim().toLowerCase();
  if (s.startsWith("returning")) return "returning";
  if (s.startsWith("new")) return "new";
  return "other";
}

/** Parses CSV text; malformed rows are skipped with a warning on stderr (stdout stays clean for CLIs). */
export function parseSessionsCsv(text: string): LabelledSession[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines.length === 0) throw new Error("empty CSV");
  const header = lines[0].split(",").map((h) => h.trim().replace(/^"|"$/g, ""));
  const col: Record<string, number> = {};
  for (const name of REQUIRED) {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`CSV is missing column ${name}`);
    col[name] = i;
  }
  const out: LabelledSession[] = [];
  let skipped = 0;
  for (let r = 1; r < lines.length; r++) {
    const c = lines[r].split(",").map((v) => v.trim().replace(/^"|"$/g, ""));
    if (c.length < header.length) {
      skipped++;
      continue;
    }
    out.push({
      features: {
        administrative: num(c[col.Administrative]),
        administrativeDuration: num(c[col.Administrative_Duration]),
        informational: num(c[col.Informational]),
        informationalDuration: num(c[col.Informational_Duration]),
        productRelated: num(c[col.ProductRelated]),
        productRelatedDuration: num(c[col.ProductRelated_Duration]),
        bounceRates: num(c[col.BounceRates]),
        exitRates: num(c[col.ExitRates]),
        pageValues: num(c[col.PageValues]),
        specialDay: num(c[col.SpecialDay]),
        month: month(c[col.Month]),
        visitorType: visitorType(c[col.VisitorType]),
        weekend: bool(c[col.Weekend]),
      },
      label: bool(c[col.Revenue]) ? 1 : 0,
    });
  }
  if (skipped > 0) process.stderr.write(`warning: skipped ${skipped} malformed CSV row(s)\n`);
  return out;
}

export function readSessionsCsv(path: string): LabelledSession[] {
  return parseSessionsCsv(readFileSync(path, "utf8"));
}

/** The training file vendored in the project (see data/online-shoppers/README.md). */
export const TRAIN_CSV = "data/online-shoppers/train.csv";
