/**
 * Small browser helpers of the embed (storage that may be blocked, the Customer Privacy API, exit intent, money),
 * kept apart from embed.ts so the runtime reads as its flow. Bundled into the embed; DOM-only, no state.
 */

export interface ShopifyGlobal {
  customerPrivacy?: { analyticsProcessingAllowed?: () => boolean; userCanBeTracked?: () => boolean };
  routes?: { root?: string };
  /** The presentment currency and the rate from the shop's currency to it (app/lib/plays/money.ts `fxOf`). */
  currency?: { active?: string; rate?: string };
  loadFeatures?: (f: { name: string; version: string }[], cb: (err?: unknown) => void) => void;
}

/** Stores `v` as JSON (removes the key for null); storage blocked or full just means not remembered. */
export function put(store: Storage, k: string, v: unknown): void {
  try {
    if (v == null) store.removeItem(k);
    else store.setItem(k, JSON.stringify(v));
  } catch {
    // Storage blocked or full: the state is just not remembered.
  }
}

export function get(store: Storage, k: string): string | null {
  try {
    return store.getItem(k);
  } catch {
    return null;
  }
}

/** The stored JSON value, or null when missing, unreadable or blocked. */
export function read<T>(store: Storage, k: string): T | null {
  try {
    return JSON.parse(store.getItem(k) || "null") as T | null;
  } catch {
    return null;
  }
}

/**
 * Customer Privacy API: whether analytics processing is allowed (where the law requires consent), loading the API
 * when the page has not yet. No API at all means no consent.
 */
export function consent(S: ShopifyGlobal | undefined, cb: (allowed: boolean) => void): void {
  const check = () => {
    const cp = S?.customerPrivacy;
    cb(!!cp && !!(cp.analyticsProcessingAllowed ? cp.analyticsProcessingAllowed() : cp.userCanBeTracked?.()));
  };
  if (S?.customerPrivacy) check();
  else if (S?.loadFeatures) S.loadFeatures([{ name: "consent-tracking-api", version: "0.1" }], (err) => (err ? cb(false) : check()));
  else cb(false);
}

/** Exit intent — desktop: the pointer leaves through the top edge; mobile: a fast flick back up, or going back. */
export function onExitIntent(w: Window, cb: () => void): void {
  w.document.addEventListener("mouseout", (e) => !e.relatedTarget && e.clientY <= 0 && cb());
  let ly = w.scrollY;
  let lt = 0;
  w.addEventListener("scroll", () => {
    const y = w.scrollY;
    const t = performance.now();
    if (ly - y > 120 && (ly - y) / (t - lt || 1) > 1.5) cb();
    ly = y;
    lt = t;
  }, { passive: true });
  w.addEventListener("popstate", cb);
}

/** The amount in `currency`, in the page's language. */
export function money(amount: number, currency: string): string {
  try {
    return new Intl.NumberFormat(document.documentElement.lang || "en", { style: "currency", currency }).format(amount);
  } catch {
    return amount.toFixed(2);
  }
}
