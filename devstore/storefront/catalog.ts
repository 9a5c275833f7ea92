// Indexes over the dev store data (products by id/handle, variants, collections, customers, orders per customer),
// rebuilt lazily when the underlying arrays change, plus the Ajax API product JSON (`/products/<handle>.js`).
import type { DevCustomer, DevOrder, DevProduct, DevStoreData, DevVariant } from "../types";
import { toCents } from "./money";

export interface CollectionInfo {
  handle: string;
  title: string;
  products: DevProduct[];
}

export function handleize(s: string): string {
  return String(s)
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/['"]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

function titleize(handle: string): string {
  return handle
    .split("-")
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join(" ");
}

/** Local placeholder image for a product: the dev store never loads images from the internet. */
export function productImageUrl(p: DevProduct): string {
  if (p.imageUrl && p.imageUrl.startsWith("/")) return p.imageUrl;
  return `/cdn/shop/files/${encodeURIComponent(p.handle)}.svg`;
}

export function variantAvailable(v: DevVariant): boolean {
  return v.inventoryQuantity > 0;
}

export class Catalog {
  private productsRef: DevProduct[] | null = null;
  private productsLen = -1;
  private ordersRef: DevOrder[] | null = null;
  private ordersLen = -1;
  private customersRef: DevCustomer[] | null = null;
  private customersLen = -1;

  private byId = new Map<string, DevProduct>();
  private byHandle = new Map<string, DevProduct>();
  private variants = new Map<string, { variant: DevVariant; product: DevProduct }>();
  private collectionMap = new Map<string, CollectionInfo>();
  private customerById = new Map<string, DevCustomer>();
  private customerByEmail = new Map<string, DevCustomer>();
  private ordersByCustomer = new Map<string, DevOrder[]>();

  constructor(private readonly state: DevStoreData) {}

  private products(): void {
    const list = this.state.products;
    if (list === this.productsRef && list.length === this.productsLen) return;
    this.productsRef = list;
    this.productsLen = list.length;
    this.byId.clear();
    this.byHandle.clear();
    this.variants.clear();
    this.collectionMap.clear();
    const all: CollectionInfo = { handle: "all", title: "Products", products: [] };
    this.collectionMap.set("all", all);
    for (const p of list) {
      this.byId.set(p.id, p);
      this.byHandle.set(p.handle, p);
      for (const v of p.variants) this.variants.set(v.id, { variant: v, product: p });
      all.products.push(p);
      if (p.collection) {
        let c = this.collectionMap.get(p.collection);
        if (!c) {
          c = { handle: p.collection, title: titleize(p.collection), products: [] };
          this.collectionMap.set(p.collection, c);
        }
        c.products.push(p);
      }
    }
  }

  private customers(): void {
    const list = this.state.customers;
    if (list === this.customersRef && list.length === this.customersLen) return;
    this.customersRef = list;
    this.customersLen = list.length;
    this.customerById.clear();
    this.customerByEmail.clear();
    for (const c of list) {
      this.customerById.set(c.id, c);
      this.customerByEmail.set(c.email.toLowerCase(), c);
    }
  }

  private orders(): void {
    const list = this.state.orders;
    if (list === this.ordersRef && list.length === this.ordersLen) return;
    // Appends (checkout) extend the index instead of rebuilding it over a million orders.
    const start = list === this.ordersRef && list.length > this.ordersLen ? this.ordersLen : 0;
    if (start === 0) this.ordersByCustomer.clear();
    for (let i = start; i < list.length; i++) {
      const o = list[i];
      if (!o.customerId) continue;
      let arr = this.ordersByCustomer.get(o.customerId);
      if (!arr) this.ordersByCustomer.set(o.customerId, (arr = []));
      arr.push(o);
    }
    this.ordersRef = list;
    this.ordersLen = list.length;
  }

  product(id: string): DevProduct | undefined {
    this.products();
    return this.byId.get(String(id));
  }

  productByHandle(handle: string): DevProduct | undefined {
    this.products();
    return this.byHandle.get(handle);
  }

  variant(id: string): { variant: DevVariant; product: DevProduct } | undefined {
    this.products();
    return this.variants.get(String(id));
  }

  collection(handle: string): CollectionInfo | undefined {
    this.products();
    return this.collectionMap.get(handle);
  }

  collections(): CollectionInfo[] {
    this.products();
    return [...this.collectionMap.values()];
  }

  allProducts(): DevProduct[] {
    this.products();
    return this.collectionMap.get("all")!.products;
  }

  customer(id: string): DevCustomer | undefined {
    this.customers();
    return this.customerById.get(String(id));
  }

  customerWithEmail(email: string): DevCustomer | undefined {
    this.customers();
    return this.customerByEmail.get(email.trim().toLowerCase());
  }

  /** The customer's orders, newest first. */
  customerOrders(customerId: string): DevOrder[] {
    this.orders();
    const list = this.ordersByCustomer.get(customerId) ?? [];
    return [...list].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  }
}

/** Cents in the shop's currency → cents in the presentment currency at Shopify's `rate` (rounded to the cent). */
export const toPresentmentCents = (cents: number, rate: number) => (rate === 1 ? cents : Math.round(cents * rate));

/** An Ajax product's monetary fields (cents) in the presentment currency: all of them, as Shopify converts them. */
export function inPresentment(p: Record<string, unknown>, rate: number): Record<string, unknown> {
  if (rate === 1) return p;
  const money = ["price", "price_min", "price_max", "compare_at_price", "compare_at_price_min", "compare_at_price_max"];
  const conv = (o: Record<string, unknown>) => {
    const out = { ...o };
    for (const k of money) if (typeof out[k] === "number") out[k] = toPresentmentCents(out[k] as number, rate);
    return out;
  };
  const out = conv(p);
  if (Array.isArray(p.variants)) out.variants = (p.variants as Record<string, unknown>[]).map(conv);
  return out;
}

/** The product as the Ajax API returns it (`/products/<handle>.js`, recommendations): prices in cents. */
export function productAjaxJson(p: DevProduct): Record<string, unknown> {
  const prices = p.variants.map((v) => toCents(v.price));
  const min = prices.length ? Math.min(...prices) : 0;
  const max = prices.length ? Math.max(...prices) : 0;
  const image = productImageUrl(p);
  const onlyDefault = p.variants.length === 1 && /^default( title)?$/i.test(p.variants[0].title);
  return {
    id: Number(p.id),
    title: p.title,
    handle: p.handle,
    description: p.description,
    published_at: p.createdAt,
    created_at: p.createdAt,
    vendor: p.vendor,
    type: p.productType,
    tags: p.tags,
    price: min,
    price_min: min,
    price_max: max,
    available: p.variants.some(variantAvailable),
    price_varies: min !== max,
    compare_at_price: null,
    compare_at_price_min: 0,
    compare_at_price_max: 0,
    compare_at_price_varies: false,
    variants: p.variants.map((v) => ({
      id: Number(v.id),
      title: v.title,
      option1: v.title,
      option2: null,
      option3: null,
      sku: v.sku,
      requires_shipping: true,
      taxable: true,
      featured_image: null,
      available: variantAvailable(v),
      name: onlyDefault ? p.title : `${p.title} - ${v.title}`,
      public_title: onlyDefault ? null : v.title,
      options: [v.title],
      price: toCents(v.price),
      weight: 0,
      compare_at_price: null,
      inventory_management: "shopify",
      barcode: "",
      requires_selling_plan: false,
      selling_plan_allocations: [],
    })),
    images: [image],
    featured_image: image,
    options: [{ name: "Title", position: 1, values: p.variants.map((v) => v.title) }],
    url: `/products/${p.handle}`,
    media: [{ id: Number(p.id), position: 1, media_type: "image", src: image, preview_image: { src: image, width: 800, height: 800, aspect_ratio: 1 } }],
    requires_selling_plan: false,
    selling_plan_groups: [],
  };
}
