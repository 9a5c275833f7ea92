// `npm run -s model:evaluate -- <path-to-csv>` — scores a CSV with the training file's columns using the SHIPPED
// model (no retraining) and prints one JSON line {"n","auc","brier","logloss","accuracy","f1"} on stdout.
// F1/accuracy use PURCHASE_THRESHOLD, the threshold the app predicts a purchase at. Diagnostics go to stderr.
import { PURCHASE_THRESHOLD, scorePropensity, SHIPPED_MODEL } from "../../app/lib/propensity/index";
import { brierScore, confusionAt, expectedCalibrationError, logLoss, rocAuc } from "../../app/lib/propensity/metrics";
import { readSessionsCsv } from "./data";

const path = process.argv.slice(2).find((a) => a !== "--");
if (!path) {
  process.stderr.write("usage: npm run -s model:evaluate -- <path-to-csv>\n");
  process.exit(2);
}
try {
  const rows = readSessionsCsv(path);
  if (rows.length === 0) throw new Error("no rows");
  const p = Float64Array.from(rows, (r) => scorePropensity(r.features, SHIPPED_MODEL));
  const y = Float64Array.from(rows, (r) => r.label);
  const c = confusionAt(p, y, PURCHASE_THRESHOLD);
  const round = (x: number) => (Number.isFinite(x) ? Number(x.toFixed(6)) : null);
  process.stderr.write(`threshold ${PURCHASE_THRESHOLD}, ECE(10) ${expectedCalibrationError(p, y).toFixed(4)}\n`);
  process.stdout.write(
    `${JSON.stringify({
      n: rows.length,
      auc: round(rocAuc(p, y)),
      brier: round(brierScore(p, y)),
      logloss: round(logLoss(p, y)),
      accuracy: round(c.accuracy),
      f1: round(c.f1),
    })}\n`,
  );
} catch (error) {
  process.stderr.write(`model:evaluate: ${(error as Error).message}\n`);
  process.exit(1);
}
