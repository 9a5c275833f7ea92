/**
 * What the embed needs only sometimes, bundled apart (extensions/recovery-plays-theme/assets/recovery-plays-lazy.js)
 * and imported on demand: the propensity scorer with its model (once a band could change the decision), the
 * recommendations list and "Add bundle" (Deal-Seeker's bundle, Indecision's alternatives) and the merchant's
 * preview. Every other page loads only the embed itself, which keeps what every storefront page pays for small.
 * embed.ts imports only this module's types.
 */
export { scorePropensity } from "../propensity/score";
export { preview } from "./preview";
import { BUNDLE_LINE_PROPERTY } from "../discounts/bundleFunction";
import { HANDLE, rankBySales } from "./popular";

interface Rec {
  title: string;
  handle?: string;
  url: string;
  price: number;
  available?: boolean;
  featured_image?: string | null;
  variants?: { id: number; available?: boolean }[];
}
/** Theme elements with their own cart re-render (Dawn's cart notification and drawer). */
interface ThemeCart extends HTMLElement {
  getSectionsToRender?: () => { id: string; section?: string }[];
  renderContents?: (s: unknown) => void;
}

const HEADERS = { "content-type": "application/json", accept: "application/json" };

/**
 * Fills `box` with up to `max` products of the feed that can be bought (each with its first available variant),
 * priced with `pct` % off (the regular price struck through next to it). With `popular` (the app proxy's popularity
 * URL) the feed is first ranked by the shop's recent sales; without an answer it keeps Shopify's order. Resolves to
 * the listed variant ids; none when the feed has nothing to show, in which case `box` is left untouched.
 */
export async function fill(
  f: typeof fetch, url: string, box: Element, card: HTMLTemplateElement, max: number, pct: number, money: (n: number) => string, popular?: string,
): Promise<number[]> {
  const j = (await (await f(url)).json()) as { products?: Rec[] };
  let feed = j.products || [];
  if (popular && feed.length > 1) {
    const handles = feed.map((p) => p.handle || "").filter((h) => HANDLE.test(h));
    const sales = await f(`${popular}?h=${handles.map(encodeURIComponent).join(",")}`, { headers: HEADERS })
      .then((r) => r.json() as Promise<{ sales?: Record<string, number> }>)
      .then((s) => s.sales || {}, () => ({}));
    feed = rankBySales(feed, sales);
  }
  const items: [Rec, number][] = [];
  for (const p of feed) {
    const v = p.available !== false && p.variants?.find((x) => x.available);
    if (v && items.length < max) items.push([p, v.id]);
  }
  if (!items.length) return [];
  const d = document;
  const list = d.createElement("ul");
  for (const [p] of items) {
    const li = card.content.cloneNode(true) as DocumentFragment;
    const a = li.querySelector("a")!;
    const img = li.querySelector("img")!;
    a.href = p.url.startsWith("/") ? p.url : "/" + p.url;
    if (p.featured_image) img.src = p.featured_image;
    else img.remove();
    li.querySelector("[data-f=title]")!.textContent = p.title;
    const price = li.querySelector("[data-f=price]")!;
    price.textContent = money((p.price * (100 - pct)) / 1e4);
    // The bundle price next to the regular one; the discount sentence above says why, once.
    if (pct) price.before(Object.assign(d.createElement("s"), { textContent: money(p.price / 100) }), " ");
    list.append(li);
  }
  box.replaceChildren(list);
  return items.map((x) => x[1]);
}

/**
 * Adds exactly `ids` (the anchor's variant first, then the listed products) to the cart, then asks the app proxy for
 * the bundle's discount code — handed only to this play's treated visitors, so no other cart gets the discount — and
 * applies it with the theme's own sections (Section Rendering API), so the theme redraws its cart count and drawer or
 * notification its own way.
 */
export async function addBundle(f: typeof fetch, root: string, proxy: string, visitorId: string, ids: (number | string)[]): Promise<void> {
  const d = document;
  const post = (url: string, body: unknown) => f(url, { method: "POST", headers: HEADERS, body: JSON.stringify(body) });
  const themeCart = d.querySelector<ThemeCart>("cart-notification,cart-drawer");
  const sections = themeCart?.getSectionsToRender?.().map((x) => x.section || x.id) ||
    Array.from(d.querySelectorAll<HTMLElement>("cart-items-component[data-section-id]"), (x) => x.dataset.sectionId!);
  // The hidden line property (leading underscore) marks these lines, and only these, as the bundle the code discounts.
  const items = ids.map((id) => ({ id: Number(id), quantity: 1, properties: { [BUNDLE_LINE_PROPERTY]: "1" } }));
  const added = await post(root + "cart/add.js", { items });
  if (!added.ok) return;
  const res = await post(proxy + "bundle", { visitorId });
  const code = res.ok && ((await res.json()) as { code?: string }).code;
  const state = (await (await post(root + "cart/update.js", { discount: code || undefined, sections, sections_url: location.pathname })).json()) as {
    items?: { key?: string }[];
    item_count?: number;
    sections?: Record<string, string>;
  };
  if (themeCart?.renderContents) themeCart.renderContents({ ...state, key: state.items?.[0]?.key });
  else {
    // Horizon listens for this event to redraw its cart sections from the response.
    const e = new Event("shopify:cart:lines-update", { bubbles: true });
    Object.assign(e, { action: "add", promise: Promise.resolve({ cart: null, detail: { itemCount: state.item_count, sections: state.sections, source: "recovery-plays" } }) });
    d.dispatchEvent(e);
  }
}
