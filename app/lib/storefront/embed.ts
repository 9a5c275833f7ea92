/**
 * The theme app embed's browser runtime — the only module under app/lib that touches the DOM. It is bundled by
 * `npm run build:extensions` into extensions/recovery-plays-theme/assets/recovery-plays.js and never imported
 * by the server. Signals and decisions are the pure modules; this file wires them to the page. All markup and
 * copy is server-rendered (escaped, translated) by the Liquid blocks; this code only reveals it, so it stays
 * small and never builds HTML from strings.
 */
import type { Arm, CustomerContext, PlayKey } from "../plays/types";
import type { PropensityFeatures } from "../propensity/features";
import { applySignal, newVisitor, parseSession, parseVisitor, resumeSession, toPropensityFeatures } from "../signals";
import type { SessionSignals, SignalEvent, VisitorState } from "../signals/types";
import { decide, recordShown } from "../decisions/engine";
import { shownMessage } from "../plays/copy";
import { fxOf, toPresentment } from "../plays/money";
import type { Intervention } from "../decisions/types";
import { diffCart, isAjaxCart, isCartMutation, snapshotOf, type AjaxCartLike, type CartSnapshot } from "./cart";
import { bandFreeDecision } from "./bands";
import { consent, get, money, onExitIntent, put, read, type ShopifyGlobal } from "./page";
import { findSurface, place, type CartSurface } from "./surface";
import { POPULAR_POOL, recsWanted } from "./popular";
import { drain, type StorefrontEvent, type StorefrontEventType } from "./transport";
import type * as Lazy from "./lazy";
import { collectionAnchor, type EmbedBoot } from "./boot";

export type { EmbedBoot };

type Stored = SessionSignals & { k?: CartSnapshot; sent?: PlayKey[] };
type StoredVisitor = VisitorState;
/** The profile endpoint's answer, kept for the browser session: `li` logged in, `c` customer, `v` signed visitor. */
interface Ident { li: boolean; c: CustomerContext | null; v: { id: string; arms: Partial<Record<PlayKey, Arm>> } }

// The toml's app proxy path, until the published config carries the one the shop's signed requests showed
// (merchants can change the prefix and subpath).
const DEFAULT_PROXY = "/apps/recovery-plays";
const JSON_HEADERS = { "content-type": "application/json", accept: "application/json" };

type Scorer = (f: PropensityFeatures, shop?: { scale: number; shift: number }) => number;

/**
 * `score` is the propensity scorer when given; otherwise it comes from the lazy module, imported only once the
 * propensity band could change the decision. `load` imports that module (default: the asset at `boot.p.u`).
 */
export function startEmbed(boot: EmbedBoot, score?: Scorer, load: () => Promise<typeof Lazy> = () => import(boot.p.u!)): void {
  const w = window;
  const d = document;
  const cfg = boot.c;
  const PROXY = (cfg.proxy || DEFAULT_PROXY) + "/";
  const pg = boot.p;
  const ls = localStorage;
  const S = (w as unknown as { Shopify?: ShopifyGlobal }).Shopify;
  // Shopify's presentment currency and rate: the shop-currency settings are compared and shown in the shopper's money.
  const fx = fxOf(S?.currency);
  // Locale-aware storefront routes ("/fr/cart.js"); the app proxy path is not localised.
  const root = S?.routes?.root || "/";
  const nativeFetch = w.fetch.bind(w);
  let uiModule: Promise<typeof Lazy> | undefined;
  const ui = () => (uiModule ||= load());
  // The scorer is settled once it was given or its import finished (or failed: then no band, as without a model).
  let scored = !!score;
  // A merchant's preview tab (token in the URL or kept for the tab) shows one play and records nothing.
  if (get(sessionStorage, "rp_pv") || /rp_preview=/.test(location.search)) {
    ui().then((m) => m.preview(PROXY, nativeFetch), () => 0);
    return;
  }
  const now = Date.now;
  const $ = <E extends Element = HTMLElement>(sel: string, root: ParentNode = d) => root.querySelector<E & Element>(sel);
  const $$ = (sel: string, root: ParentNode = d) => Array.from(root.querySelectorAll<HTMLElement>(sel));
  let running = false;
  let wired = false;
  let visitor: StoredVisitor;
  let session: Stored;
  let customer: CustomerContext | null = null;
  let active: PlayKey | null = null;
  let activeArm: Arm = "treatment";
  // The server's arms for the signed visitor id: until the app proxy answers, nothing is decided or sent.
  let arms: Ident["v"]["arms"] | null = null;
  let bundleIds: number[] = [];
  let anchorVid: string | undefined;
  let cartVid = pg.v;
  let cartItems = pg.i.length;
  const queue: StorefrontEvent[] = [];
  let flushTimer = 0;
  let refreshTimer = 0;
  let lastExit = 0;
  let checkedOut = false;
  // The cart drawer/notification the shopper has open (or the cart page's checkout), and since when the cart on
  // it has not changed: an open drawer is the cart, so stall timers and the cart plays apply there.
  let surface: CartSurface | null = null;
  let overlayAt = 0;
  // What a cart play revealed, kept to put it back above the checkout button after the theme redraws the drawer.
  let placed: HTMLElement[] = [];
  // A play whose recommendations feed was empty on this page: never revealed, never counted as shown.
  let pending = false;
  const empty: string[] = [];

  const save = () => {
    if (!running) return;
    put(ls, "rp_v", visitor);
    put(ls, "rp_s", session);
  };

  // pageStats only matter to page views; passing them always keeps one call shape.
  const apply = (e: SignalEvent) => applySignal(session, visitor, e, cfg.pageStats);

  // Events go to the app proxy in batches (≤ 50) with sendBeacon, which survives navigation.
  const flush = () => {
    clearTimeout(flushTimer);
    flushTimer = 0;
    if (!running || !arms) return;
    for (const body of drain(visitor.id, queue)) {
      if (!navigator.sendBeacon?.(PROXY + "events", body)) {
        nativeFetch(PROXY + "events", { method: "POST", body, keepalive: true, headers: JSON_HEADERS }).catch(() => 0);
      }
    }
  };
  const send = (type: StorefrontEventType, extra?: Partial<StorefrontEvent>) => {
    if (!running) return;
    queue.push({ type, ts: now(), ...extra });
    if (queue.length > 49) flush();
    else flushTimer ||= w.setTimeout(flush, 4e3);
  };

  const evaluate = () => {
    if (!running || !arms) return;
    const t = now();
    // An open drawer is the cart; a collection page is Deal-Seeker's product surface for its anchor product.
    const anchor = pg.k === "collection" ? collectionAnchor(session, pg.cp) : null;
    const view: SessionSignals = overlayAt && session.page && session.page.kind !== "cart"
      ? { ...session, page: { kind: "cart", product: null, since: overlayAt, idleSince: overlayAt } }
      : anchor && session.page ? { ...session, page: { ...session.page, kind: "product", product: anchor[0] } } : session;
    anchorVid = anchor?.[1];
    const run = (propensity: number | null) => decide({ config: cfg, session: view, visitor, customer, propensity, now: t, consent: true, active, arms, fx });
    let dec = scored ? null : bandFreeDecision(run, cfg.bands);
    if (!dec && !scored) {
      // The band matters: the scorer is imported, and the same events are decided again with it.
      ui()
        .then((m) => (score = m.scorePropensity), () => 0)
        .then(() => ((scored = true), evaluate()));
      return;
    }
    if (!dec) {
      let propensity: number | null = null;
      try {
        if (score) propensity = score(toPropensityFeatures(session, visitor, t), cfg.propensity);
      } catch {
        // A scorer failure must not stop the plays that do not need a band.
      }
      dec = run(propensity);
    }
    // Plain assignments: the ES2020 target would expand `||=` on properties into temporaries.
    const sent = session.sent || (session.sent = []);
    for (const { play, arm } of dec.eligible) {
      if (!sent.includes(play)) {
        sent.push(play);
        send("eligible", { play, arm });
      }
      const iv = dec.show;
      if (iv?.play === play && !pending && !empty.includes(play + iv.productId)) {
        const shown = () => {
          active = play;
          activeArm = arm;
          recordShown(visitor, play, cfg, now());
          send("shown", { play, arm });
          save();
        };
        if (iv.productId && recsWanted(iv, cfg) > 0) {
          pending = true;
          recs(iv).then((ok) => {
            pending = false;
            if (!ok) empty.push(play + iv.productId);
            else if (running && !active && reveal(iv)) shown();
          });
        } else if (reveal(iv)) shown();
      }
    }
    // The order reaches the app with the cart's `_rp_vid`: a pointer to the signed id, never a claim of an arm or an
    // exposure (the app counts only the exposures it recorded). It goes on every cart with items, so each order can
    // be tied to its sessions (page values and per-shop learning need every session's outcome).
    if (cartItems && cartVid !== visitor.id) {
      cartVid = visitor.id;
      nativeFetch(root + "cart/update.js", {
        method: "POST",
        headers: JSON_HEADERS,
        body: JSON.stringify({ attributes: { _rp_vid: visitor.id } }),
        keepalive: true,
      }).catch(() => (cartVid = ""));
    }
    save();
  };

  const signal = (e: SignalEvent) => {
    if (!running) return;
    apply(e);
    evaluate();
  };

  const onCart = (cart: AjaxCartLike) => {
    if (!running) return;
    const next = snapshotOf(cart.items);
    const { adds, removes } = diffCart(session.k || {}, next);
    const t = now();
    const value = cart.total_price / 100;
    session.k = next;
    cartItems = cart.items.length;
    if (cart.attributes) cartVid = cart.attributes._rp_vid as string | undefined;
    apply({ type: "cart_updated", ts: t, subtotal: value, currency: cart.currency });
    if (overlayAt && (adds.length || removes.length)) overlayAt = t;
    for (const [productId, quantity] of adds) {
      apply({ type: "add_to_cart", ts: t, productId, quantity });
      send("add_to_cart", { value });
    }
    for (const [productId, quantity] of removes) {
      apply({ type: "remove_from_cart", ts: t, productId, quantity });
      send("remove_from_cart", { value });
    }
    if (cart.items.length) remaining(value, cart.currency);
    evaluate();
  };
  const refreshCart = () => {
    clearTimeout(refreshTimer);
    refreshTimer = w.setTimeout(() => {
      nativeFetch(root + "cart.js", { headers: JSON_HEADERS })
        .then((r) => r.json())
        .then((j: unknown) => isAjaxCart(j) && onCart(j))
        .catch(() => 0);
    }, 150);
  };
  const checkout = () => {
    if (checkedOut) return;
    checkedOut = true;
    send("checkout_started", { value: session.subtotal });
    signal({ type: "checkout_started", ts: now() });
    flush();
  };
  const exitIntent = () => {
    const t = now();
    if (t - lastExit > 15e3) {
      lastExit = t;
      signal({ type: "exit_intent", ts: t });
    }
  };
  const leave = () => {
    if (!running) return;
    apply({ type: "tick", ts: now() });
    save();
    flush();
  };

  // Storefront prices (recommendations, cart) are in the shopper's presentment currency.
  // What is left to the free-shipping threshold, in the cart's currency (Shopify's rate converts the shop-currency
  // threshold; without a rate the hint is never decided, and nothing is written).
  const remaining = (value: number, currency?: string) => {
    const rest = toPresentment(cfg.plays.deal_seeker?.freeShippingThreshold || 0, cfg.shop.currency, currency, fx);
    if (rest != null) for (const n of $$("[data-rp-remaining]")) n.textContent = money(Math.max(0, rest - value), currency || cfg.shop.currency);
  };
  const cash = (amount: number) => money(amount, fx?.currency || session?.cur || cfg.shop.currency);
  // The intervention's roots: its app blocks on this page, else the embed's panel filled from its template.
  const rootsOf = (iv: Intervention): HTMLElement[] => {
    const roots = iv.parts.flatMap((part) => $$(`[data-rp-kind="${part}"]`));
    if (roots.length && roots[0].dataset.rpKind === iv.kind) return roots;
    const tpl = $<HTMLTemplateElement>(`template[data-rp-fallback="${iv.kind}"]`);
    const panel = $("#rp-panel");
    if (!tpl || !panel) return [];
    if (panel.dataset.rpKind !== iv.kind) panel.replaceChildren(tpl.content.cloneNode(true));
    panel.dataset.rpKind = iv.kind;
    return [panel];
  };
  // Fills the recommendations (lazy UI module); false when the feed has none to buy, so the play is neither
  // revealed nor counted as shown.
  const recs = (iv: Intervention): Promise<boolean> => {
    const bundle = iv.kind === "bundle";
    // The bundle is the anchor plus one complementary product ("add both"); a second pick stands in for a sold-out first.
    const limit = recsWanted(iv, cfg);
    const card = $<HTMLTemplateElement>("#rp-card");
    const box = rootsOf(iv).map((r) => $("[data-rp-recs]", r)).find(Boolean);
    if (!card || !box) return Promise.resolve(false);
    // Alternatives: a pool of related products, ranked by the shop's recent sales (app proxy), the top `limit` shown.
    const url = `${root}recommendations/products.json?product_id=${encodeURIComponent(iv.productId!)}&intent=${bundle ? "complementary" : "related"}&limit=${bundle ? limit : POPULAR_POOL}`;
    return ui()
      .then((m) => m.fill(nativeFetch, url, box, card, bundle ? 1 : limit, bundle ? cfg.plays.deal_seeker?.discountPercent || 0 : 0, cash, bundle ? undefined : PROXY + "popular"))
      // "Add bundle" adds exactly what is shown: the anchor's selected variant (read at click time) and these.
      .then((ids) => (bundleIds = ids).length > 0, () => false);
  };
  const reveal = (iv: Intervention): boolean => {
    const roots = rootsOf(iv);
    if (!roots.length) return false;
    const variant = iv.checkoutPrompt || (iv.bnpl ? "bnpl" : "");
    for (const r of roots) {
      for (const v of $$("[data-rp-variant]", r)) if (v.dataset.rpVariant === variant) v.hidden = false;
      // A card that is only its variants stays hidden when none applies: no empty box for the shopper.
      for (const c of $$("[data-rp-needs-variant]", r)) c.hidden = $$("[data-rp-variant]", c).every((v) => v.hidden);
      r.hidden = false;
      r.classList.add("rp-in");
    }
    if (iv.kind === "free_shipping_hint") remaining(session.subtotal, session.cur);
    if (iv.kind !== "bundle") {
      placed = roots;
      locate();
    }
    const live = $("#rp-live");
    if (live) {
      const m = shownMessage({ message: iv.message, returnDays: (cfg.plays[iv.play] as { returnDays?: number } | undefined)?.returnDays });
      live.textContent = `${m.heading}. ${m.body}`;
    }
    return true;
  };
  // Finds the cart surface; a newly opened drawer/notification becomes "the cart" (stall timer from now), and a
  // cart play is (re)placed directly above its checkout button, also after the theme redrew the drawer.
  const locate = () => {
    if (!running) return;
    const s = findSurface(d, pg.k === "cart", pg.s);
    const was = surface?.overlay;
    surface = s;
    overlayAt = s?.overlay ? (was === s.overlay ? overlayAt : now()) : 0;
    if (s && placed.length) {
      // Only when missing: re-adding a class is an attribute mutation, which would wake the observer again.
      for (const n of placed) if (!n.classList.contains("rp-placed")) n.classList.add("rp-placed");
      place(placed, s);
    }
    if (s?.overlay && s.overlay !== was) evaluate();
  };
  const dismiss = () => {
    if (!active) return;
    send("dismissed", { play: active, arm: activeArm });
    session.dismissed.push(active);
    for (const r of $$("[data-rp-kind].rp-in")) r.hidden = true;
    save();
  };
  const onClick = (e: MouseEvent) => {
    const t = e.target as Element;
    if (t.closest?.("[data-rp-dismiss]")) return dismiss();
    const cta = t.closest?.<HTMLElement>("[data-rp-cta],[data-rp-recs] a");
    if (cta && active && running) {
      send("engaged", { play: active, arm: activeArm });
      // The anchor product's currently selected variant, as the theme's own add-to-cart form holds it.
      // On a collection page the anchor has no product form: the variant Liquid selected for it.
      const anchor = anchorVid || $<HTMLInputElement>("form[action*='/cart/add'] [name=id]")?.value || pg.vid;
      if (cta.dataset.rpBundle != null && anchor && bundleIds.length) {
        cta.setAttribute("aria-busy", "true");
        // The server hands out the code only after it recorded "shown": send the batch now, not in up to 4 s.
        flush();
        ui()
          .then((m) => m.addBundle(nativeFetch, root, PROXY, visitor.id, [anchor, ...bundleIds]))
          .catch(() => 0)
          .finally(() => {
            cta.removeAttribute("aria-busy");
            refreshCart();
          });
      }
    } else if (t.closest?.("a[href*='/checkout'],[name=checkout]")) checkout();
  };

  const wire = () => {
    // Cart requests, whoever made them (theme, other apps, forms), seen through Resource Timing: nothing global is
    // patched, the cart is re-read once after they finish.
    try {
      new PerformanceObserver((l) => l.getEntries().some((e) => isCartMutation(e.name)) && refreshCart()).observe({ type: "resource" });
    } catch {
      // No Resource Timing: the theme events below still report changes.
    }
    // The theme opens, closes and redraws its cart drawer/notification in the DOM: checked at most every 50 ms.
    let later = 0;
    new MutationObserver(() => (later ||= w.setTimeout(() => ((later = 0), locate()), 50))).observe(d.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ["open", "class", "hidden"],
    });
    d.addEventListener("click", onClick, true);
    d.addEventListener("submit", (e) => {
      if (/\/checkout/.test((e.target as HTMLFormElement).action) || (e as SubmitEvent).submitter?.getAttribute("name") === "checkout") checkout();
    }, true);
    d.addEventListener("keydown", (e) => e.key === "Escape" && (e.target as Element).closest?.(".rp-in") && dismiss());
    onExitIntent(w, exitIntent);
    // Stall and session-length rules are time-based: re-evaluate while the page is visible.
    if (cfg.plays.vip || cfg.plays.indecision) w.setInterval(() => d.visibilityState === "visible" && signal({ type: "tick", ts: now() }), 5e3);
    w.addEventListener("pagehide", leave);
    d.addEventListener("visibilitychange", () => d.visibilityState === "hidden" && leave());
  };

  const start = () => {
    if (running) return;
    running = true;
    const t = now();
    // The id is the app's (signed, from the profile endpoint); "" until it answers.
    visitor = (parseVisitor(get(ls, "rp_v")) as StoredVisitor | null) || newVisitor("", t);
    session = resumeSession(parseSession(get(ls, "rp_s")), visitor, t);
    // Cart changes made by full page loads (non-Ajax forms) show up as a difference from the last snapshot.
    const liquidCart = { items: pg.i.map(([product_id, quantity]) => ({ product_id, quantity })), total_price: pg.t, currency: pg.cu };
    if (session.k) onCart(liquidCart);
    else {
      session.k = snapshotOf(liquidCart.items);
      apply({ type: "cart_updated", ts: t, subtotal: pg.t / 100, currency: pg.cu });
    }
    apply({ type: "page_view", ts: t, kind: pg.k, productId: pg.pid == null ? null : String(pg.pid) });
    send("page_view", { pageType: pg.k, path: location.pathname });
    if (!wired) wire();
    wired = true;
    locate();
    // Once per browser session (and again when the shopper logs in or out): the app proxy confirms the signed id
    // (or issues one) with its arms, and the customer from Shopify's signed logged_in_customer_id.
    const cached = read<Ident>(sessionStorage, "rp_c");
    if (cached?.v && cached.li === pg.li && (!visitor.id || cached.v.id === visitor.id)) identify(cached);
    else {
      nativeFetch(PROXY + "profile" + (visitor.id ? "?vid=" + encodeURIComponent(visitor.id) : ""), { headers: JSON_HEADERS })
        .then((r) => r.json())
        .then((j: { customer?: CustomerContext | null; visitor?: Ident["v"] | null }) => {
          // Quoted: `visitor` is an internal name the bundle mangles (esbuild mangleProps); the server's field is not.
          const v = j["visitor"];
          if (!running || !v) return;
          const ident: Ident = { li: pg.li, c: j.customer || null, v };
          put(sessionStorage, "rp_c", ident);
          identify(ident);
        })
        .catch(() => 0);
    }
  };
  const identify = (ident: Ident) => {
    if (!running) return;
    visitor.id = ident.v.id;
    arms = ident.v.arms;
    customer = ident.c;
    const at = Date.parse(customer?.lastOrderAt || "");
    if (at > (visitor.purchasedAt || 0)) visitor.purchasedAt = at;
    evaluate();
    flush();
  };

  // Without consent the app forgets the visitor at once: id, session and profile leave storage (also when they
  // were stored on an earlier page), and events still queued are dropped, never sent.
  const forget = () => {
    running = false;
    arms = null;
    queue.length = 0;
    clearTimeout(flushTimer);
    flushTimer = 0;
    put(ls, "rp_v", null);
    put(ls, "rp_s", null);
    put(sessionStorage, "rp_c", null);
  };
  // Customer Privacy API: without analytics consent (where required) nothing is collected, stored or sent.
  const onConsent = (ok: boolean) => (ok ? start() : forget());
  d.addEventListener("visitorConsentCollected", () => consent(S, onConsent));
  consent(S, onConsent);
}
