/** Session signals → the propensity model's features (app/lib/propensity/features.ts). Pure. */
import type { PropensityFeatures } from "../propensity/features";
import type { PageKind, SessionSignals, VisitorState } from "./types";
import { isReturning, PRODUCT_RELATED } from "./session";

/** Dwell of a page kind including the still-running time on the current page. */
function dwellOf(s: SessionSignals, kind: PageKind, now: number): number {
  let d = s.dwell[kind] ?? 0;
  if (s.page && s.page.kind === kind && now > s.page.since) d += Math.min((now - s.page.since) / 1000, 1800);
  return d;
}

const DAY = 86400000;
/** Days before the holiday → the dataset's SpecialDay value (peaks 6 days before, in 0.2 steps). */
function closeness(daysBefore: number): number {
  if (daysBefore < 2 || daysBefore > 11) return 0;
  return Math.max(0, Math.round((1 - Math.abs(daysBefore - 6) / 5) * 5) / 5);
}

/**
 * Closeness to a gift-giving day as the dataset defines SpecialDay (Valentine's Day and Mother's Day, the
 * second Sunday of May), in local time.
 */
export function specialDay(now: number): number {
  const d = new Date(now);
  const y = d.getFullYear();
  const today = Date.UTC(y, d.getMonth(), d.getDate());
  const may1 = new Date(Date.UTC(y, 4, 1)).getUTCDay();
  const mothers = Date.UTC(y, 4, 1 + ((7 - may1) % 7) + 7);
  const valentines = Date.UTC(y, 1, 14);
  return Math.max(closeness((valentines - today) / DAY), closeness((mothers - today) / DAY));
}

/** Maps the session to the model's inputs; the page metrics come from the shop-level pageStats averages. */
export function toPropensityFeatures(s: SessionSignals, v: VisitorState, now: number): PropensityFeatures {
  let productRelated = 0;
  let productRelatedDuration = 0;
  for (const k of PRODUCT_RELATED) {
    productRelated += s.views[k] ?? 0;
    productRelatedDuration += dwellOf(s, k, now);
  }
  const d = new Date(now);
  const day = d.getDay();
  const n = s.statN;
  return {
    administrative: s.views.account ?? 0,
    administrativeDuration: dwellOf(s, "account", now),
    informational: s.views.info ?? 0,
    informationalDuration: dwellOf(s, "info", now),
    productRelated,
    productRelatedDuration,
    bounceRates: n ? s.bounceSum / n : 0,
    exitRates: n ? s.exitSum / n : 0,
    pageValues: n ? s.valueSum / n : 0,
    specialDay: specialDay(now),
    month: d.getMonth() + 1,
    visitorType: isReturning(v, s) ? "returning" : "new",
    weekend: day === 0 || day === 6,
  };
}
