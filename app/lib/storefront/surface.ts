/**
 * Where the cart is on this page: an open cart drawer or notification, else the cart page's own form. Read from
 * the theme's DOM only (never by wrapping fetch), so the embed can treat that surface as "the cart" and place a
 * cart play directly above its checkout button. Kept apart from embed.ts so it is tested on theme-shaped markup.
 */

/**
 * Documented per-theme overlays, as `root selector` + `selector the root matches while shown`, from the themes' own
 * markup and scripts:
 * - Horizon: `<theme-drawer id="cart-drawer">` gets the `open` attribute while its modal dialog is shown;
 * - Dawn (cart type "drawer"): `<cart-drawer>` gets the class `active` while open;
 * - Dawn (cart type "notification"): `#cart-notification` gets the class `active` while shown.
 */
export const THEME_OVERLAYS: [root: string, open: string][] = [
  ["theme-drawer#cart-drawer", "[open]"],
  ["cart-drawer", ".active"],
  ["#cart-notification", ".active"],
];
const ANY_OVERLAY = THEME_OVERLAYS.map((o) => o[0]).join();

/** Generic fallback: the checkout button of any theme (a named submit, or the submit of a form posting to /cart). */
const CHECKOUT = "[name=checkout],form[action$='/cart'] [type=submit]";
/** Not shown, as far as the DOM says (no layout needed): hidden, inert or in a closed dialog. */
const HIDDEN = "[hidden],[inert],[aria-hidden=true],dialog:not([open])";

export interface CartSurface {
  /** The drawer/notification root, or null for the cart page itself. */
  overlay: Element | null;
  /** The checkout button the intervention goes above. */
  checkout: Element;
}

const buttons = (root: ParentNode) => Array.from(root.querySelectorAll(CHECKOUT)).filter((b) => !b.closest(HIDDEN));

/**
 * The surface the shopper is on. `override` is the merchant's selector for their theme's cart overlay (embed
 * setting); an invalid selector is ignored. On the cart page (`onCartPage`) the page's own checkout button is the
 * surface unless an overlay is open on top of it.
 */
export function findSurface(doc: Document, onCartPage: boolean, override?: string | null): CartSurface | null {
  for (const [sel, open] of override ? [[override, "*"], ...THEME_OVERLAYS] : THEME_OVERLAYS) {
    try {
      for (const overlay of Array.from(doc.querySelectorAll(sel))) {
        const checkout = overlay.matches(open) && !overlay.closest(HIDDEN) && buttons(overlay)[0];
        if (checkout) return { overlay, checkout };
      }
    } catch {
      // An invalid merchant selector: the theme selectors still apply.
    }
  }
  // The cart page: not a button inside a closed overlay (a drawer's markup is often in the page, just closed).
  const checkout = onCartPage && buttons(doc).find((b) => !b.closest(ANY_OVERLAY));
  return checkout ? { overlay: null, checkout } : null;
}

/** Wrappers that belong to the checkout button: its own form, a CTA row, or a box holding only the button. */
const wraps = (el: Element) => el.tagName === "FORM" || /cta|checkout/i.test(el.className) || el.childElementCount < 2;

/** The element to insert the intervention before: the checkout button's outermost own wrapper inside the surface. */
export function anchorOf(surface: CartSurface): Element {
  let a = surface.checkout;
  for (let p = a.parentElement; p && p !== surface.overlay && p.tagName !== "BODY" && wraps(p); p = p.parentElement) a = p;
  return a;
}

/**
 * Puts `nodes` (in order) directly above the surface's checkout button; returns whether they moved (a theme redraw
 * that replaced the drawer's contents removed them, or the shopper opened another surface).
 */
export function place(nodes: Element[], surface: CartSurface): boolean {
  const anchor = anchorOf(surface);
  if (nodes.every((n, i) => n.nextElementSibling === (nodes[i + 1] || anchor))) return false;
  anchor.before(...nodes);
  return true;
}
