// @vitest-environment jsdom
// Cart surface detection on markup shaped like each theme's drawer, notification and cart page (element names,
// ids, classes and attributes as the themes use them; the markup itself is written here, not taken from them).
import { beforeEach, describe, expect, it } from "vitest";
import { anchorOf, findSurface, place } from "./surface";

const HORIZON_DRAWER = (open: boolean) => `
  <theme-drawer id="cart-drawer" ${open ? "open" : ""}>
    <dialog ${open ? "open" : ""}>
      <cart-drawer-component>
        <div class="cart-drawer__inner">
          <div class="cart-drawer__summary">
            <div class="cart-totals">Total</div>
            <div class="cart__ctas">
              <button type="submit" id="checkout" name="checkout" form="cart-form">Check out</button>
              <div class="additional-checkout-buttons"></div>
            </div>
          </div>
        </div>
      </cart-drawer-component>
    </dialog>
  </theme-drawer>`;

const DAWN_NOTIFICATION = (open: boolean) => `
  <div class="cart-notification-wrapper">
    <div id="cart-notification" class="cart-notification${open ? " active" : ""}">
      <div id="cart-notification-product"></div>
      <div class="cart-notification__links">
        <a href="/cart" id="cart-notification-button">View cart</a>
        <form action="/cart" method="post" id="cart-notification-form"><button name="checkout">Check out</button></form>
        <button type="button">Continue shopping</button>
      </div>
    </div>
  </div>`;

const DAWN_DRAWER = (open: boolean) => `
  <cart-drawer class="drawer${open ? " active" : ""}">
    <div id="CartDrawer"><div class="drawer__footer">
      <div class="totals">Total</div>
      <div class="cart__ctas"><button type="submit" id="CartDrawer-Checkout" name="checkout" form="CartDrawer-Form">Check out</button></div>
    </div></div>
  </cart-drawer>`;

const DAWN_PAGE = `
  <form action="/cart" method="post" id="cart"><table></table></form>
  <div class="cart__footer"><div class="totals">Total</div>
    <div class="cart__ctas"><noscript><button type="submit" name="update" form="cart">Update</button></noscript>
      <button type="submit" id="checkout" name="checkout" form="cart">Check out</button></div>
  </div>`;

const GENERIC_PAGE = `<main><form action="/cart" method="post"><p>Lines</p><div><input type="submit" value="Check out"></div></form></main>`;

function html(s: string) {
  document.body.innerHTML = s;
}

beforeEach(() => html(""));

describe("findSurface", () => {
  it("GIVEN Horizon's cart drawer open WHEN detecting THEN the drawer is the surface with its checkout button", () => {
    html(HORIZON_DRAWER(true));
    const s = findSurface(document, false);
    expect(s?.overlay?.id).toBe("cart-drawer");
    expect(s?.checkout.id).toBe("checkout");
  });

  it("GIVEN Horizon's cart drawer closed on a product page WHEN detecting THEN there is no cart surface", () => {
    html(HORIZON_DRAWER(false));
    expect(findSurface(document, false)).toBeNull();
  });

  it("GIVEN Dawn's cart notification shown WHEN detecting THEN its checkout button is the surface's", () => {
    html(DAWN_NOTIFICATION(true));
    const s = findSurface(document, false);
    expect(s?.overlay?.id).toBe("cart-notification");
    expect(s?.checkout.closest("form")?.id).toBe("cart-notification-form");
  });

  it("GIVEN Dawn's cart notification not shown WHEN detecting THEN there is no cart surface", () => {
    html(DAWN_NOTIFICATION(false));
    expect(findSurface(document, false)).toBeNull();
  });

  it("GIVEN Dawn's cart drawer active WHEN detecting THEN the drawer is the surface", () => {
    html(DAWN_DRAWER(true));
    expect(findSurface(document, false)?.checkout.id).toBe("CartDrawer-Checkout");
  });

  it("GIVEN Dawn's cart page WHEN detecting on the cart page THEN the page's checkout button is the surface", () => {
    html(DAWN_PAGE);
    const s = findSurface(document, true);
    expect(s?.overlay).toBeNull();
    expect(s?.checkout.id).toBe("checkout");
  });

  it("GIVEN a closed Dawn drawer on the cart page WHEN detecting THEN the drawer's button is not taken for the page's", () => {
    html(DAWN_DRAWER(false) + DAWN_PAGE);
    expect(findSurface(document, true)?.checkout.id).toBe("checkout");
  });

  it("GIVEN an unknown theme's cart form WHEN detecting on the cart page THEN the form's submit is the generic fallback", () => {
    html(GENERIC_PAGE);
    expect(findSurface(document, true)?.checkout.tagName).toBe("INPUT");
  });

  it("GIVEN a merchant selector for a custom drawer WHEN it is in the page THEN that drawer is the surface", () => {
    html(`<aside class="my-cart"><button name="checkout" id="mine">Pay</button></aside>`);
    expect(findSurface(document, false, ".my-cart")?.checkout.id).toBe("mine");
    expect(findSurface(document, false)).toBeNull();
  });

  it("GIVEN an invalid merchant selector WHEN detecting THEN the theme selectors still apply", () => {
    html(HORIZON_DRAWER(true));
    expect(findSurface(document, false, "[[nope")?.overlay?.id).toBe("cart-drawer");
  });

  it("GIVEN a merchant selector for a hidden overlay WHEN detecting THEN it is not the surface", () => {
    html(`<aside class="my-cart" hidden><button name="checkout">Pay</button></aside>`);
    expect(findSurface(document, false, ".my-cart")).toBeNull();
  });
});

describe("place", () => {
  it("GIVEN Horizon's drawer WHEN placing THEN the intervention sits right before the CTA row holding the checkout button", () => {
    html(HORIZON_DRAWER(true));
    const s = findSurface(document, false)!;
    const node = document.createElement("div");
    expect(place([node], s)).toBe(true);
    expect(node.nextElementSibling?.className).toBe("cart__ctas");
    expect(node.parentElement?.className).toBe("cart-drawer__summary");
  });

  it("GIVEN Dawn's notification WHEN placing THEN the intervention sits between View cart and the checkout form", () => {
    html(DAWN_NOTIFICATION(true));
    const node = document.createElement("div");
    place([node], findSurface(document, false)!);
    expect(node.previousElementSibling?.id).toBe("cart-notification-button");
    expect(node.nextElementSibling?.id).toBe("cart-notification-form");
  });

  it("GIVEN two parts of one play WHEN placing THEN both sit above the checkout in their order", () => {
    html(DAWN_PAGE);
    const a = document.createElement("div");
    const b = document.createElement("div");
    const s = findSurface(document, true)!;
    place([a, b], s);
    expect([a.nextElementSibling, b.nextElementSibling]).toEqual([b, anchorOf(s)]);
    expect(place([a, b], s)).toBe(false);
  });

  it("GIVEN the intervention already placed WHEN placing again THEN nothing moves", () => {
    html(DAWN_PAGE);
    const node = document.createElement("div");
    const s = findSurface(document, true)!;
    place([node], s);
    expect(place([node], s)).toBe(false);
  });

  it("GIVEN a theme redraw replaced the drawer's contents WHEN placing again THEN the intervention returns above the new button", () => {
    html(HORIZON_DRAWER(true));
    const node = document.createElement("div");
    place([node], findSurface(document, false)!);
    const inner = document.querySelector("cart-drawer-component")!;
    inner.innerHTML = new DOMParser().parseFromString(HORIZON_DRAWER(true), "text/html").querySelector("cart-drawer-component")!.innerHTML;
    expect(node.isConnected).toBe(false);
    expect(place([node], findSurface(document, false)!)).toBe(true);
    expect(node.nextElementSibling).toBe(anchorOf(findSurface(document, false)!));
    expect(node.nextElementSibling?.querySelector("[name=checkout]")?.isConnected).toBe(true);
  });
});
