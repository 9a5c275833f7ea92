/** The boot payload of the theme app embed, and how a collection page finds the product a bundle anchors on. */
import type { PublishedPlaysConfig } from "../plays/types";
import type { PageKind, SessionSignals } from "../signals/types";

/** What blocks/app-embed.liquid renders into `<script type="application/json" id="rp-boot">`. */
export interface EmbedBoot {
  c: PublishedPlaysConfig;
  p: {
    /** Page kind, classified in Liquid from request.page_type (+ page handle). */
    k: PageKind;
    pid: number | string | null;
    vid: number | string | null;
    /** The shopper is logged in (the profile itself comes from the app proxy). */
    li: boolean;
    /** Cart total (cents), lines [product id, quantity], current `_rp_plays` and `_rp_vid` cart attributes. */
    t: number;
    /** The cart's (presentment) currency: `t` is in it. */
    cu?: string;
    i: [number | string, number][];
    a: string;
    v?: string;
    /** The merchant's selector for their theme's cart drawer (embed setting), when the built-in ones miss it. */
    s?: string;
    /** URL of the lazily loaded asset (scorer, recommendations, Add bundle, preview): see ./lazy. */
    u?: string;
    /** Collection pages: the page's products as [product id, selected or first available variant id]. */
    cp?: [number | string, number | string][];
  };
}

/**
 * On a collection page, Deal-Seeker's anchor is the product of this page the shopper viewed most this session (the
 * engine then applies its own rule, ≥ sameProductViewsAtLeast views and no add-to-cart), with the variant Liquid
 * selected for it; null when none of the page's products was viewed.
 */
export function collectionAnchor(s: SessionSignals, products: [number | string, number | string][] | undefined): [string, string] | null {
  let best: [string, string] | null = null;
  for (const [pid, vid] of products || []) {
    const n = s.pv[String(pid)] || 0;
    if (n && (!best || n > (s.pv[best[0]] || 0))) best = [String(pid), String(vid)];
  }
  return best;
}
