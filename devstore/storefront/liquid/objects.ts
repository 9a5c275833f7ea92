// Shopify-like Liquid objects over the dev store data: shop, product, collection(s), cart, customer, request,
// routes, app (app-owned metafields). Money values are integers in cents, like Shopify's Liquid.
import { Drop } from "liquidjs";
import type { DevCustomer, DevMetafield, DevProduct, DevStoreData } from "../../types";
import { type Catalog, type CollectionInfo, handleize, productImageUrl, variantAvailable } from "../catalog";
import { type Cart, priceCart } from "../cart";
import { moneyFormats, toCents } from "../money";

export const COLLECTION_PAGE_SIZE = 24;
/** On the shop object, out of Liquid's sight: whether the shop offers Shop Pay Installments (`payment_terms`). */
export const SHOP_PAY_INSTALLMENTS = Symbol("shopPayInstallments");

const hidden = (o: object, key: string, value: unknown) =>
  Object.defineProperty(o, key, { value, enumerable: false, configurable: true, writable: true });

/**
 * The dev store's payment method names as Shopify's Liquid payment types (`shop.enabled_payment_types`: "visa",
 * "master", "american_express", "shopify_pay", ...). Shop Pay Installments is not a payment type: Shopify shows it
 * through the `payment_terms` banner, so it is left out here and read by that filter (`offersShopPayInstallments`).
 */
const PAYMENT_TYPE: Record<string, string> = { shop_pay: "shopify_pay", mastercard: "master", amex: "american_express" };
const INSTALLMENTS = "shop_pay_installments";
export function enabledPaymentTypes(methods: readonly string[]): string[] {
  return methods
    .map((m) => handleize(m).replace(/-/g, "_"))
    .filter((t) => t !== INSTALLMENTS)
    .map((t) => PAYMENT_TYPE[t] ?? t);
}
export const offersShopPayInstallments = (methods: readonly string[]) => methods.some((m) => handleize(m).replace(/-/g, "_") === INSTALLMENTS);

export function shopObject(data: DevStoreData, domain: string): Record<string, unknown> {
  const f = moneyFormats(data.shop.currencyCode);
  const policy = (handle: string, title: string, body: string) => ({ handle, title, body, url: `/policies/${handle}`, id: handle });
  const refund = policy("refund-policy", "Refund policy", data.shop.refundPolicy);
  const shipping = policy("shipping-policy", "Shipping policy", data.shop.shippingPolicy);
  return {
    name: data.shop.name,
    email: data.shop.email,
    domain,
    permanent_domain: data.shop.domain,
    url: `https://${domain}`,
    secure_url: `https://${domain}`,
    currency: data.shop.currencyCode,
    money_format: f.money,
    money_with_currency_format: f.withCurrency,
    refund_policy: refund,
    shipping_policy: shipping,
    policies: [refund, shipping],
    enabled_payment_types: enabledPaymentTypes(data.shop.paymentMethods),
    payment_methods: data.shop.paymentMethods,
    [SHOP_PAY_INSTALLMENTS]: offersShopPayInstallments(data.shop.paymentMethods),
    customer_accounts_enabled: true,
    customer_accounts_optional: true,
    locale: "en",
    products_count: data.products.length,
  };
}

function imageObject(p: DevProduct): Record<string, unknown> {
  const src = productImageUrl(p);
  return { src, url: src, alt: p.title, width: 800, height: 800, aspect_ratio: 1, id: Number(p.id) };
}

function variantObject(p: DevProduct, v: DevProduct["variants"][number]): Record<string, unknown> {
  return {
    id: Number(v.id),
    title: v.title,
    price: toCents(v.price),
    compare_at_price: null,
    available: variantAvailable(v),
    sku: v.sku,
    inventory_quantity: v.inventoryQuantity,
    inventory_management: "shopify",
    inventory_policy: "deny",
    option1: v.title,
    options: [v.title],
    url: `/products/${p.handle}?variant=${v.id}`,
    product_id: Number(p.id),
    requires_shipping: true,
    taxable: true,
  };
}

/** The Liquid `product` object. `selectedVariantId` comes from ?variant= on the product page. */
export function productObject(p: DevProduct, catalog: Catalog, selectedVariantId?: string): Record<string, unknown> {
  const variants = p.variants.map((v) => variantObject(p, v));
  const prices = variants.map((v) => v.price as number);
  const min = prices.length ? Math.min(...prices) : 0;
  const max = prices.length ? Math.max(...prices) : 0;
  const firstAvailable = variants.find((v) => v.available) ?? variants[0] ?? null;
  const selected = (selectedVariantId && variants.find((v) => String(v.id) === selectedVariantId)) || null;
  const image = imageObject(p);
  const obj: Record<string, unknown> = {
    id: Number(p.id),
    title: p.title,
    handle: p.handle,
    description: p.description,
    content: p.description,
    vendor: p.vendor,
    type: p.productType,
    tags: p.tags,
    url: `/products/${p.handle}`,
    price: min,
    price_min: min,
    price_max: max,
    price_varies: min !== max,
    compare_at_price: null,
    available: variants.some((v) => v.available),
    variants,
    first_available_variant: firstAvailable,
    selected_variant: selected,
    selected_or_first_available_variant: selected ?? firstAvailable,
    has_only_default_variant: p.variants.length === 1 && /^default( title)?$/i.test(p.variants[0].title),
    options: ["Title"],
    options_with_values: [{ name: "Title", position: 1, values: p.variants.map((v) => v.title) }],
    featured_image: image,
    featured_media: { ...image, media_type: "image", preview_image: image },
    images: [image],
    media: [{ ...image, media_type: "image", preview_image: image }],
    created_at: p.createdAt,
    published_at: p.createdAt,
    get collections() {
      const c = catalog.collection(p.collection);
      return c ? [collectionObject(c, catalog)] : [];
    },
  };
  hidden(obj, "toJSON", () => ({ id: Number(p.id), title: p.title, handle: p.handle, price: min, variants: variants.map((v) => ({ id: v.id, price: v.price, available: v.available })) }));
  return obj;
}

/** The Liquid `collection` object; `products` is the current page (24 per page, ?page=). */
export function collectionObject(c: CollectionInfo, catalog: Catalog, page = 1): Record<string, unknown> {
  const pages = Math.max(1, Math.ceil(c.products.length / COLLECTION_PAGE_SIZE));
  const current = Math.min(Math.max(1, page), pages);
  const url = `/collections/${c.handle}`;
  return {
    id: c.handle,
    handle: c.handle,
    title: c.title,
    description: "",
    url,
    products_count: Math.min(COLLECTION_PAGE_SIZE, c.products.length - (current - 1) * COLLECTION_PAGE_SIZE),
    all_products_count: c.products.length,
    current_page: current,
    pages,
    next_page_url: current < pages ? `${url}?page=${current + 1}` : null,
    previous_page_url: current > 1 ? `${url}?page=${current - 1}` : null,
    get products() {
      return c.products.slice((current - 1) * COLLECTION_PAGE_SIZE, current * COLLECTION_PAGE_SIZE).map((p) => productObject(p, catalog));
    },
    get all_products() {
      return c.products.map((p) => productObject(p, catalog));
    },
    get all_types() {
      return [...new Set(c.products.map((p) => p.productType))];
    },
    get all_vendors() {
      return [...new Set(c.products.map((p) => p.vendor))];
    },
  };
}

/** `collections`: iterable, and indexable by handle (`collections['summer']`). */
export function collectionsObject(catalog: Catalog): unknown[] {
  const list = catalog.collections().map((c) => collectionObject(c, catalog));
  const indexed = list as unknown[] & Record<string, unknown>;
  for (const c of list) Object.defineProperty(indexed, String(c.handle), { value: c, enumerable: false });
  return indexed;
}

/** The Liquid `cart` object. */
export function cartObject(cart: Cart, catalog: Catalog, data: DevStoreData): Record<string, unknown> {
  const priced = priceCart(cart, catalog, data);
  const application = priced.applications[0];
  const title = application?.title;
  const liquidApplication = application
    ? {
        title,
        type: application.type,
        value: application.percentage ?? application.discount.amount ?? 0,
        value_type: application.percentage !== null ? "percentage" : "fixed_amount",
        total_allocated_amount: application.amount,
      }
    : null;
  const items = priced.lines.map((pl, i) => {
    const product = catalog.product(pl.line.productId)!;
    const productObj = productObject(product, catalog, pl.line.variantId);
    const unitFinal = pl.line.quantity ? Math.round(pl.finalLineCents / pl.line.quantity) : pl.unitCents;
    return {
      id: Number(pl.line.variantId),
      key: pl.line.key,
      quantity: pl.line.quantity,
      title: pl.title,
      price: pl.unitCents,
      original_price: pl.unitCents,
      final_price: unitFinal,
      line_price: pl.finalLineCents,
      original_line_price: pl.originalLineCents,
      final_line_price: pl.finalLineCents,
      total_discount: pl.discountCents,
      line_level_total_discount: pl.discountCents,
      line_level_discount_allocations: pl.discountCents && liquidApplication ? [{ amount: pl.discountCents, discount_application: liquidApplication }] : [],
      discounts: pl.discountCents ? [{ amount: pl.discountCents, title }] : [],
      product: productObj,
      variant: productObj.selected_or_first_available_variant,
      product_id: Number(pl.line.productId),
      variant_id: Number(pl.line.variantId),
      sku: pl.sku,
      vendor: pl.vendor,
      url: `/products/${pl.handle}?variant=${pl.line.variantId}`,
      url_to_remove: `/cart/change?line=${i + 1}&quantity=0`,
      image: productObj.featured_image,
      properties: pl.line.properties,
      requires_shipping: true,
    };
  });
  return {
    item_count: priced.itemCount,
    items,
    items_subtotal_price: priced.total,
    original_total_price: priced.originalTotal,
    total_price: priced.total,
    total_discount: priced.totalDiscount,
    total_weight: 0,
    attributes: { ...cart.attributes },
    note: cart.note || null,
    currency: { iso_code: data.shop.currencyCode },
    requires_shipping: priced.itemCount > 0,
    empty: priced.itemCount === 0,
    discount_applications: liquidApplication ? [liquidApplication] : [],
    cart_level_discount_applications: [],
    discount_codes: priced.discountCodes,
    checkout_charge_amount: priced.total,
  };
}

const FINANCIAL_LABELS: Record<string, string> = {
  PAID: "Paid", PARTIALLY_REFUNDED: "Partially refunded", REFUNDED: "Refunded", PENDING: "Pending", VOIDED: "Voided",
};

/** The Liquid `customer` object (only present when logged in). */
export function customerObject(c: DevCustomer, catalog: Catalog): Record<string, unknown> {
  const orders = catalog.customerOrders(c.id);
  return {
    id: Number(c.id),
    email: c.email,
    first_name: c.firstName,
    last_name: c.lastName,
    name: `${c.firstName} ${c.lastName}`.trim(),
    orders_count: orders.length,
    total_spent: toCents(orders.reduce((s, o) => s + o.total - o.refunded, 0)),
    has_account: true,
    accepts_marketing: false,
    tags: [],
    default_address: null,
    get orders() {
      return orders.map((o) => ({
        id: Number(o.id),
        name: o.name,
        created_at: o.createdAt,
        total_price: toCents(o.total),
        subtotal_price: toCents(o.subtotal),
        financial_status: o.financialStatus.toLowerCase(),
        financial_status_label: FINANCIAL_LABELS[o.financialStatus] ?? o.financialStatus,
        cancelled: o.cancelledAt !== null,
        line_items_count: o.lineItems.reduce((s, l) => s + l.quantity, 0),
      }));
    },
    get last_order() {
      const o = orders[0];
      return o ? { id: Number(o.id), name: o.name, created_at: o.createdAt, total_price: toCents(o.total) } : null;
    },
  };
}

export const ROUTES = {
  root_url: "/",
  account_url: "/account",
  account_login_url: "/account/login",
  account_logout_url: "/account/logout",
  account_register_url: "/account/register",
  account_addresses_url: "/account/addresses",
  account_recover_url: "/account/recover",
  collections_url: "/collections",
  all_products_collection_url: "/collections/all",
  search_url: "/search",
  predictive_search_url: "/search/suggest",
  cart_url: "/cart",
  cart_add_url: "/cart/add",
  cart_change_url: "/cart/change",
  cart_clear_url: "/cart/clear",
  cart_update_url: "/cart/update",
  product_recommendations_url: "/recommendations/products",
};

export function requestObject(pageType: string, path: string, host: string, origin: string): Record<string, unknown> {
  return {
    page_type: pageType,
    path,
    host,
    origin,
    locale: { iso_code: "en", name: "English", endonym_name: "English", primary: true, root_url: "/" },
    design_mode: false,
    visual_preview_mode: false,
  };
}

/** A metafield as Liquid sees it: `{{ mf }}` prints the raw value, `mf.value` is typed (json parsed). */
export class MetafieldDrop extends Drop {
  readonly type: string;
  readonly value: unknown;
  readonly namespace: string;
  readonly key: string;
  constructor(private readonly mf: DevMetafield) {
    super();
    this.type = mf.type;
    this.namespace = mf.namespace;
    this.key = mf.key;
    this.value = typedValue(mf);
  }
  valueOf(): unknown {
    return this.mf.value;
  }
  toString(): string {
    return this.mf.value;
  }
}

function typedValue(mf: DevMetafield): unknown {
  try {
    if (mf.type === "json" || mf.type.startsWith("list.")) return JSON.parse(mf.value);
    if (mf.type === "boolean") return mf.value === "true";
    if (mf.type === "number_integer" || mf.type === "number_decimal") return Number(mf.value);
  } catch {
    return null;
  }
  return mf.value;
}

class MetafieldKeysDrop extends Drop {
  constructor(
    private readonly namespace: string,
    private readonly read: (namespace: string, key: string) => DevMetafield | undefined,
  ) {
    super();
  }
  liquidMethodMissing(key: string): unknown {
    const mf = this.read(this.namespace, key);
    return mf ? new MetafieldDrop(mf) : undefined;
  }
}

class MetafieldNamespacesDrop extends Drop {
  constructor(private readonly read: (namespace: string, key: string) => DevMetafield | undefined) {
    super();
  }
  liquidMethodMissing(namespace: string): unknown {
    return new MetafieldKeysDrop(namespace, this.read);
  }
}

/**
 * The `app` object in theme app extension Liquid: `app.metafields[namespace][key]` reads the AppInstallation's
 * metafields. Shopify stores a `$app:recovery_plays` write as `app--<app id>--recovery_plays`, and Liquid reaches it
 * only through the reserved prefix, `app.metafields["$app:recovery_plays"].config`; the plain
 * `app.metafields.recovery_plays` reads the unrelated plain namespace `recovery_plays`
 * (shopify.dev/docs/apps/build/online-store/theme-app-extensions/configuration#reserved-prefixes-for-metafields-and-metaobjects).
 * `read` gets the namespace as written in Liquid and resolves it (devstore/server.ts `appMetafield`).
 */
export function appObject(read: (namespace: string, key: string) => DevMetafield | undefined): Record<string, unknown> {
  return { metafields: new MetafieldNamespacesDrop(read) };
}
