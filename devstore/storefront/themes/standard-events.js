// Offline stand-in for Shopify's storefront standard events module (the theme's import map points
// `@shopify/events` at cdn.shopify.com/storefront/standard-events.js, unreachable from the dev store). It keeps
// the surface themes import — event name constants, event classes whose payload fields sit on the event,
// `createPromise()` deferreds, `createViewEventElement()` — and sends no analytics.
export const StandardEvents = Object.freeze({
  pageView: "shopify:page:view",
  productView: "shopify:product:view",
  productSelect: "shopify:product:select",
  cartView: "shopify:cart:view",
  cartError: "shopify:cart:error",
  cartLinesUpdate: "shopify:cart:lines-update",
  cartNoteUpdate: "shopify:cart:note-update",
  cartDiscountUpdate: "shopify:cart:discount-update",
  searchUpdate: "shopify:search:update",
  collectionView: "shopify:collection:view",
  collectionUpdate: "shopify:collection:update",
});

export class ShopifyStandardEvent extends Event {
  constructor(type, payload = {}, options = {}) {
    super(type, { bubbles: true, composed: true, ...options });
    Object.assign(this, payload);
  }
  static createGid(type, id) {
    return String(id).startsWith("gid://") ? String(id) : `gid://shopify/${type}/${id}`;
  }
  /** Ajax cart JSON (money in cents) → the cart summary the events carry. */
  static createCartFromAjaxResponse(cart = {}) {
    const money = (cents) => ({ amount: (Number(cents ?? 0) / 100).toFixed(2), currencyCode: cart.currency ?? "USD" });
    return {
      id: cart.token ?? "",
      totalQuantity: cart.item_count ?? 0,
      cost: { totalAmount: money(cart.total_price) },
      lines: (cart.items ?? []).map((item) => ({ id: item.key, quantity: item.quantity, cost: { totalAmount: money(item.final_line_price ?? item.line_price) } })),
    };
  }
  static createPromise() {
    let resolve;
    let reject;
    const promise = new Promise((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  }
}

const define = (name) =>
  class extends ShopifyStandardEvent {
    static eventName = name;
    constructor(payload = {}, options = {}) {
      super(name, payload, options);
    }
  };

export const PageViewEvent = define(StandardEvents.pageView);
export const ProductViewEvent = define(StandardEvents.productView);
export const ProductSelectEvent = define(StandardEvents.productSelect);
export const CartViewEvent = define(StandardEvents.cartView);
export const CartErrorEvent = define(StandardEvents.cartError);
export const CartLinesUpdateEvent = define(StandardEvents.cartLinesUpdate);
export const CartNoteUpdateEvent = define(StandardEvents.cartNoteUpdate);
export const CartDiscountUpdateEvent = define(StandardEvents.cartDiscountUpdate);
export const SearchUpdateEvent = define(StandardEvents.searchUpdate);
export const CollectionViewEvent = define(StandardEvents.collectionView);
export const CollectionUpdateEvent = define(StandardEvents.collectionUpdate);

/** Base class factory for elements that dispatch view events; the stand-in dispatches none. */
export function createViewEventElement(Base = HTMLElement) {
  return class extends Base {};
}
