/**
 * Where the cart is on this page: an open cart drawer or notification, else the cart page's own form. Read from
 * the theme's DOM only (never by wrapping fetch), so the embed can treat that surface as "the cart" and place a
 * cart play directly above its checkout button. Kept apart from embed.ts so it is tested on theme-shaped markup.
 */

/** A theme's cart overlay: its root element and the selector that matches the root while it is shown. */
export interface OverlayDef {
  root: string;
  open: string;
}

/**
 * Documented per-theme overlays, from the themes' own markup and scripts:
 * - Horizon: `<theme-drawer id="cart-drawer">` gets the `open` attribute while its modal dialog is shown;
 * - Dawn (cart type "drawer"): `<cart-drawer>` gets the class `active` while open;
 * - Dawn (cart type "notification"): `#cart-notification` gets the class `active` while shown.
 */
export const THEME_OVERLAYS: OverlayDef[] = [
  { root: "theme-drawer#cart-drawer", open: "[open]" },
  { root: "cart-drawer", open: ".active" },
  { root: "#cart-notification", open: ".active" },
];

/** Generic fallback: the checkout button of any theme (a named submit, or the submit of a form posting to /cart). */
const CHECKOUT = "[name=checkout],form[action$='/cart'] [type=submit]";

export interface CartSurface {
  /** The drawer/notification root, or null for the cart page itself. */
  overlay: Element | null;
  /** The checkout button the intervention goes above. */
  checkout: Element;
}

/** Shown to the shopper as far as the DOM says (no layout): not inside a closed dialog, hidden or inert subtree. */
function shown(el: Element, stop: Element | null): boolean {
  for (let n: Element | null = el; n && n !== stop; n = n.parentElement) {
    if (n.hasAttribute("hidden") || n.hasAttribute("inert") || n.getAttribute("aria-hidden") === "true") return false;
    if (n.tagName === "DIALOG" && !n.hasAttribute("open")) return false;
    if (n.tagName === "TEMPLATE") return false;
  }
  return true;
}

function checkoutIn(root: ParentNode, stop: Element | null): Element | null {
  for (const b of Array.from(root.querySelectorAll(CHECKOUT))) if (shown(b, stop)) return b;
  return null;
}

/**
 * The surface the shopper is on. `override` is the merchant's selector for their theme's cart overlay (embed
 * setting); an invalid selector is ignored. On the cart page (`onCartPage`) the page's own checkout button is the
 * surface unless an overlay is open on top of it.
 */
export function findSurface(doc: Document, onCartPage: boolean, override?: string | null): CartSurface | null {
  const defs = override ? [{ root: override, open: "*" }, ...THEME_OVERLAYS] : THEME_OVERLAYS;
  for (const def of defs) {
    let roots: Element[];
    try {
      roots = Array.from(doc.querySelectorAll(def.root));
    } catch {
      continue;
    }
    for (const root of roots) {
      if (!root.matches(def.open) || !shown(root, null)) continue;
      const checkout = checkoutIn(root, root);
      if (checkout) return { overlay: root, checkout };
    }
  }
  if (!onCartPage) return null;
  // The cart page: skip buttons inside closed overlays (a drawer's markup is often in the page, just closed).
  for (const b of Array.from(doc.querySelectorAll(CHECKOUT))) {
    if (shown(b, null) && !THEME_OVERLAYS.some((o) => b.closest(o.root))) return { overlay: null, checkout: b };
  }
  return null;
}

/** Wrappers that belong to the checkout button: its own form, a CTA row, or a box holding only the button. */
function wraps(el: Element): boolean {
  return el.tagName === "FORM" || /cta|checkout/i.test(el.getAttribute("class") || "") || el.childElementCount === 1;
}

/** The element to insert the intervention before: the checkout button's outermost own wrapper inside the surface. */
export function anchorOf(surface: CartSurface): Element {
  let a = surface.checkout;
  for (let p = a.parentElement; p && p !== surface.overlay && p.tagName !== "BODY" && wraps(p); p = p.parentElement) a = p;
  return a;
}

/**
 * Puts `node` directly above the surface's checkout button; returns whether it moved (a theme redraw that replaced
 * the drawer's contents removed it, or the shopper opened another surface).
 */
export function place(node: Element, surface: CartSurface): boolean {
  const anchor = anchorOf(surface);
  if (anchor.previousElementSibling === node) return false;
  anchor.before(node);
  return true;
}
