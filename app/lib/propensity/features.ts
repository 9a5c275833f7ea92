/**
 * The propensity model's inputs, named after the dataset columns they reproduce (see docs/propensity.md).
 * Built on the storefront from session signals plus shop-level page aggregates. Pure type only.
 * OperatingSystems, Browser, Region and TrafficType are deliberately absent (anonymised codes of one store).
 */
export interface PropensityFeatures {
  /** Account pages viewed this session, and seconds spent on them. */
  administrative: number;
  administrativeDuration: number;
  /** Information pages (shipping, returns/refund policy, contact, other policies) and seconds. */
  informational: number;
  informationalDuration: number;
  /** Product-related pages (product, collection, search, cart) and seconds. */
  productRelated: number;
  productRelatedDuration: number;
  /** Averages over the pages visited of the shop-level GA page metrics (fractions 0–1, value in currency). */
  bounceRates: number;
  exitRates: number;
  pageValues: number;
  /** Closeness to a special day (0–1), as in the dataset. */
  specialDay: number;
  /** 1–12. */
  month: number;
  visitorType: "new" | "returning" | "other";
  weekend: boolean;
}
