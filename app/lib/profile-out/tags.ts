/**
 * Optional customer tags (a setting, off by default). Email/SMS tools that sync Shopify tags pick them up with no
 * connector. The app only ever adds or removes tags from APP_TAGS: a customer's other tags are never touched.
 */
import type { Barrier } from "./fields";

export const APP_TAGS = ["rp:champion", "rp:lapsing", "rp:hesitated-price"] as const;
export type AppTag = (typeof APP_TAGS)[number];

export interface TagInput {
  segment?: string | null;
  stage?: string | null;
  /** Barrier of the last hesitation (consent-gated: null without consent). */
  barrier?: Barrier | null;
}

export function desiredTags(p: TagInput): AppTag[] {
  const out: AppTag[] = [];
  if (p.segment === "CHAMPIONS") out.push("rp:champion");
  if (p.stage === "lapsing_loyalist") out.push("rp:lapsing");
  if (p.barrier === "price") out.push("rp:hesitated-price");
  return out;
}

/** What to add and remove, given the customer's current tags (others are ignored, whatever their case). */
export function tagChanges(current: readonly string[], desired: readonly AppTag[]): { add: AppTag[]; remove: AppTag[] } {
  const have = new Set(current.map((t) => t.trim().toLowerCase()));
  const want = new Set<string>(desired);
  return {
    add: desired.filter((t) => !have.has(t)),
    remove: APP_TAGS.filter((t) => have.has(t) && !want.has(t)),
  };
}
