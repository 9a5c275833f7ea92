// Deterministic seed data for the local dev store: products, customers and their order histories with realistic
// shapes (heavy-tailed spend, repeat-purchase rates, recency spread over ~2 years, refunds, cancellations, guest
// orders). Every customer is generated from (seed, index) alone, so histories stream in constant memory and any
// customer can be regenerated directly (the Admin API's customer(id) on a 1,000,000-order store).
import type { DevCustomer, DevLineItem, DevOrder, DevProduct, DevShop, DevStoreData } from "../types";
import { Rng, hash32 } from "./prng";
import { rfmFor } from "./rfm";

export const DEMO_SHOP_DOMAIN = "recovery-plays-demo.myshopify.com";
export const ID_BASE = {
  product: 8_000_000_000_000,
  variant: 45_000_000_000_000,
  customer: 7_000_000_000_000,
  /** Order ids encode the customer index: ORDER + index * ORDER_STRIDE + k (O(1) lookup in streaming mode). */
  order: 5_000_000_000_000,
  guestOrder: 6_000_000_000_000,
  lineItem: 13_000_000_000_000,
  refund: 900_000_000_000,
} as const;
export const ORDER_STRIDE = 1000;
/** Hard cap so order ids stay inside the customer's stride. */
const MAX_ORDERS_PER_CUSTOMER = 400;
const DAY = 86_400_000;

export interface SeedOptions {
  seed: number;
  customers: number;
  products?: number;
  /** Approximate total number of orders (registered + guest). Default ≈ 3.3 per customer. */
  orders?: number;
  /** ISO date or epoch ms that "now" is for the generated history (fixed for determinism). */
  now?: string | number;
  currencyCode?: string;
  shopDomain?: string;
}

export interface CustomerHistory {
  customer: DevCustomer;
  orders: DevOrder[];
}

/** One yielded item of the stream: a customer with its orders, or a batch of guest orders (customer null). */
export interface HistoryItem {
  customer: DevCustomer | null;
  orders: DevOrder[];
}

export const GUEST_ORDER_SHARE = 0.08;
const DEFAULT_NOW = "2026-07-15T12:00:00Z";

export function isoSeconds(ms: number): string {
  return new Date(Math.round(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function nowMs(opts: SeedOptions): number {
  const n = opts.now ?? DEFAULT_NOW;
  return typeof n === "number" ? n : Date.parse(n);
}

const round2 = (x: number) => Math.round(x * 100) / 100;

// ---------------------------------------------------------------------------------------------------------------
// Products

const CATALOG: { collection: string; type: string; vendor: string; nouns: string[]; median: number }[] = [
  { collection: "outerwear", type: "Jacket", vendor: "Northbound", nouns: ["Rain Shell", "Down Parka", "Field Jacket", "Wind Anorak", "Quilted Vest", "Fleece Zip"], median: 140 },
  { collection: "tops", type: "Shirt", vendor: "Common Thread", nouns: ["Oxford Shirt", "Merino Tee", "Linen Shirt", "Henley", "Crew Sweater", "Flannel Shirt"], median: 55 },
  { collection: "bottoms", type: "Pants", vendor: "Common Thread", nouns: ["Chino", "Selvedge Jean", "Trail Short", "Cord Trouser", "Jogger"], median: 75 },
  { collection: "footwear", type: "Shoes", vendor: "Stride & Co", nouns: ["Leather Sneaker", "Chelsea Boot", "Trail Runner", "Canvas Slip-on", "Hiking Boot"], median: 120 },
  { collection: "accessories", type: "Accessory", vendor: "Odd Lot", nouns: ["Wool Beanie", "Leather Belt", "Canvas Tote", "Wool Socks", "Silk Scarf", "Cap", "Wallet"], median: 28 },
  { collection: "care", type: "Care", vendor: "Odd Lot", nouns: ["Shoe Care Kit", "Lint Roller", "Fabric Spray", "Cedar Blocks", "Repair Kit"], median: 14 },
];
const ADJECTIVES = ["Classic", "Everyday", "Heritage", "Lightweight", "Organic", "Recycled", "Alpine", "Coastal", "Urban", "Midweight"];
const SIZES = ["S", "M", "L", "XL"];
const COLORS = ["Black", "Navy", "Olive", "Sand", "Stone"];

export function generateProducts(seed: number, count = 40, now: number = Date.parse(DEFAULT_NOW)): DevProduct[] {
  const rng = new Rng(hash32(seed, "products"));
  const products: DevProduct[] = [];
  const usedHandles = new Set<string>();
  let variantSeq = 0;
  for (let i = 0; i < count; i++) {
    const cat = CATALOG[i % CATALOG.length]!;
    let title = `${rng.pick(ADJECTIVES)} ${rng.pick(cat.nouns)}`;
    let handle = title.toLowerCase().replace(/[^a-z0-9]+/g, "-");
    for (let n = 2; usedHandles.has(handle); n++) {
      handle = `${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}-${n}`;
      if (!usedHandles.has(handle)) title = `${title} ${n}`;
    }
    usedHandles.add(handle);
    const id = String(ID_BASE.product + i + 1);
    const base = Math.max(6, Math.round(rng.lognormal(cat.median, 0.35))) - 0.01;
    const variantCount = cat.collection === "care" ? 1 : rng.int(1, 4);
    const options = variantCount === 1 ? ["Default Title"] : (rng.chance(0.5) ? SIZES : COLORS).slice(0, variantCount);
    products.push({
      id,
      handle,
      title,
      description: `${title} by ${cat.vendor}. Made to last, easy to care for.`,
      productType: cat.type,
      vendor: cat.vendor,
      tags: [cat.collection, rng.chance(0.3) ? "bestseller" : "core"],
      collection: cat.collection,
      imageUrl: null,
      variants: options.map((opt) => {
        variantSeq++;
        return {
          id: String(ID_BASE.variant + variantSeq),
          productId: id,
          title: opt,
          price: base,
          sku: `${cat.type.slice(0, 3).toUpperCase()}-${i + 1}-${opt.replace(/\s+/g, "").toUpperCase()}`,
          inventoryQuantity: rng.int(0, 120),
        };
      }),
      related: [],
      complementary: [],
      createdAt: isoSeconds(now - (800 - i * 3) * DAY),
    });
  }
  // Related = same collection; complementary = other collections (what Search & Discovery would configure).
  for (const p of products) {
    p.related = products.filter((q) => q.collection === p.collection && q.id !== p.id).slice(0, 4).map((q) => q.id);
    const others = products.filter((q) => q.collection !== p.collection);
    const comp: string[] = [];
    for (let k = 0; k < 3 && others.length > 0; k++) {
      const q = others[hash32(seed, p.id, k) % others.length]!;
      if (!comp.includes(q.id)) comp.push(q.id);
    }
    p.complementary = comp;
  }
  return products;
}

export function collectionsOf(products: DevProduct[]): { handle: string; title: string; productIds: string[] }[] {
  const map = new Map<string, string[]>();
  for (const p of products) map.set(p.collection, [...(map.get(p.collection) ?? []), p.id]);
  return [...map.entries()].map(([handle, productIds]) => ({
    handle,
    title: handle.charAt(0).toUpperCase() + handle.slice(1),
    productIds,
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// Customers and orders

const FIRST = ["Ava", "Liam", "Noah", "Emma", "Mia", "Lucas", "Zoe", "Ethan", "Isla", "Omar", "Priya", "Kenji", "Sofia", "Mateo", "Chloe", "Amara", "Leo", "Nina", "Ravi", "Hana", "Jonas", "Elif", "Tariq", "Maya"];
const LAST = ["Nguyen", "Smith", "Garcia", "Okafor", "Müller", "Kowalski", "Rossi", "Tanaka", "Haddad", "Silva", "Dubois", "Jensen", "Patel", "Kim", "Brown", "Novak", "Cohen", "Moreau", "Larsen", "Singh"];

interface Ctx {
  seed: number;
  now: number;
  products: DevProduct[];
  currencyCode: string;
  /** Mean of the per-customer Poisson rate for repeat buyers, tuned to hit the requested order total. */
  repeatLambda: number;
}

function makeCtx(opts: SeedOptions, products?: DevProduct[]): Ctx {
  const now = nowMs(opts);
  const prods = products ?? generateProducts(opts.seed, opts.products ?? 40, now);
  const totalOrders = opts.orders ?? Math.round(opts.customers * 3.3);
  const registeredMean = (totalOrders * (1 - GUEST_ORDER_SHARE)) / Math.max(1, opts.customers);
  // E[orders] = P(one-time) * 1 + P(repeat) * (1 + λ); prospects (no order) order nothing.
  const lambda = Math.max(0.2, (registeredMean - P_ONE_TIME - P_REPEAT) / P_REPEAT);
  return { seed: opts.seed, now, products: prods, currencyCode: opts.currencyCode ?? "USD", repeatLambda: lambda };
}

const P_PROSPECT = 0.08;
const P_ONE_TIME = 0.44;
const P_REPEAT = 1 - P_PROSPECT - P_ONE_TIME;
const REFUND_RATE = 0.065;
const CANCEL_RATE = 0.015;

function buildOrder(rng: Rng, ctx: Ctx, id: number, customerId: string | null, createdAt: number, target: number): DevOrder {
  const lines: DevLineItem[] = [];
  let subtotal = 0;
  for (let n = 0; n < 8 && (subtotal < target * 0.8 || lines.length === 0); n++) {
    const product = rng.pick(ctx.products);
    const variant = rng.pick(product.variants);
    const quantity = variant.price < 30 && rng.chance(0.3) ? 2 : 1;
    lines.push({
      id: String(ID_BASE.lineItem + (id % 1_000_000_000_000) * 10 + n),
      productId: product.id,
      variantId: variant.id,
      title: product.title,
      quantity,
      price: variant.price,
    });
    subtotal += variant.price * quantity;
  }
  subtotal = round2(subtotal);
  const discountCodes = rng.chance(0.15) ? ["WELCOME10"] : [];
  const totalDiscounts = discountCodes.length ? round2(subtotal * 0.1) : 0;
  const shipping = subtotal - totalDiscounts >= 75 ? 0 : 6.95;
  const total = round2(subtotal - totalDiscounts + shipping);
  const order: DevOrder = {
    id: String(id),
    name: `#${customerId ? id - ID_BASE.order + 1001 : id - ID_BASE.guestOrder + 900_001_001}`,
    customerId,
    createdAt: isoSeconds(createdAt),
    updatedAt: isoSeconds(createdAt),
    cancelledAt: null,
    financialStatus: "PAID",
    currencyCode: ctx.currencyCode,
    subtotal,
    totalDiscounts,
    total,
    refunded: 0,
    refunds: [],
    lineItems: lines,
    attributes: [],
    discountCodes,
  };
  const roll = rng.next();
  const refundAt = (daysMin: number, daysMax: number) =>
    Math.min(ctx.now - 3_600_000, createdAt + rng.int(daysMin * 24, daysMax * 24) * 3_600_000);
  if (roll < CANCEL_RATE) {
    const at = refundAt(0, 1);
    order.cancelledAt = isoSeconds(Math.max(createdAt, at));
    order.updatedAt = order.cancelledAt;
    if (rng.chance(0.4)) {
      order.financialStatus = "VOIDED"; // payment never captured
    } else {
      order.financialStatus = "REFUNDED";
      order.refunded = total;
      order.refunds.push({ id: String(ID_BASE.refund + (id % 1_000_000_000_000)), createdAt: order.cancelledAt, amount: total });
    }
  } else if (roll < CANCEL_RATE + REFUND_RATE) {
    const at = Math.max(createdAt, refundAt(2, 30));
    const full = rng.chance(0.45);
    const amount = full ? total : round2(total * (0.2 + rng.next() * 0.5));
    order.financialStatus = full ? "REFUNDED" : "PARTIALLY_REFUNDED";
    order.refunded = amount;
    order.refunds.push({ id: String(ID_BASE.refund + (id % 1_000_000_000_000)), createdAt: isoSeconds(at), amount });
    order.updatedAt = isoSeconds(at);
  } else if (ctx.now - createdAt < 2 * DAY && rng.chance(0.2)) {
    order.financialStatus = "PENDING";
  }
  return order;
}

/** Orders of one customer (net spend, count, last order) — what Shopify's Customer fields aggregate. */
export function customerTotals(orders: DevOrder[]): { count: number; spent: number; last: DevOrder | null } {
  let spent = 0;
  let last: DevOrder | null = null;
  for (const o of orders) {
    if (o.financialStatus !== "VOIDED") spent += o.total - o.refunded;
    if (!last || o.createdAt > last.createdAt) last = o;
  }
  return { count: orders.length, spent: round2(spent), last };
}

function generateCustomerWith(ctx: Ctx, index: number): CustomerHistory {
  const rng = new Rng(hash32(ctx.seed, "customer", index));
  const id = String(ID_BASE.customer + index + 1);
  const first = rng.pick(FIRST);
  const last = rng.pick(LAST);
  const window = 730 * DAY;
  // Sign-ups lean recent (growing shop): sqrt of a uniform puts more mass near now.
  const createdAt = ctx.now - window * (1 - Math.sqrt(rng.next())) - rng.int(1, 24) * 3_600_000;
  const kind = rng.next();
  let count = 0;
  if (kind >= P_PROSPECT) {
    count = kind < P_PROSPECT + P_ONE_TIME ? 1 : 1 + Math.max(1, rng.poisson(rng.lognormal(ctx.repeatLambda / 1.5, 0.9)));
  }
  count = Math.min(count, MAX_ORDERS_PER_CUSTOMER);
  const orders: DevOrder[] = [];
  if (count > 0) {
    const firstOrder = Math.min(ctx.now - 3_600_000, createdAt + (rng.chance(0.6) ? rng.int(0, 12) * 3_600_000 : rng.exponential(20 * DAY)));
    // Some customers stay active until now, others lapse somewhere along the way (recency spread).
    const activeUntil = rng.chance(0.35) ? ctx.now : firstOrder + (ctx.now - firstOrder) * rng.next();
    const times = [firstOrder];
    for (let k = 1; k < count; k++) times.push(firstOrder + (activeUntil - firstOrder) * rng.next());
    times.sort((a, b) => a - b);
    const aov = rng.lognormal(62, 0.55); // heavy-tailed per-customer basket size
    for (let k = 0; k < count; k++) {
      const orderId = ID_BASE.order + index * ORDER_STRIDE + k;
      orders.push(buildOrder(rng, ctx, orderId, id, times[k]!, aov * rng.lognormal(1, 0.3)));
    }
  }
  const totals = customerTotals(orders);
  const rfm = rfmFor(hash32(ctx.seed, "rfm", index), ctx.now, totals.count, totals.spent, totals.last ? Date.parse(totals.last.createdAt) : null);
  const customer: DevCustomer = {
    id,
    email: `${first}.${last}.${index + 1}@example.com`.toLowerCase().replace(/[^a-z0-9.@]/g, ""),
    firstName: first,
    lastName: last,
    createdAt: isoSeconds(createdAt),
    password: "password",
    rfmGroup: rfm.group,
    predictedSpendTier: rfm.predictedSpendTier,
  };
  return { customer, orders };
}

/** Regenerates one customer (0-based index) with its orders, without generating the others. */
export function generateCustomerHistory(opts: SeedOptions, index: number, products?: DevProduct[]): CustomerHistory {
  return generateCustomerWith(makeCtx(opts, products), index);
}

/** Guest order count for a size (checkout without an account). */
export function guestOrderCount(opts: SeedOptions): number {
  const total = opts.orders ?? Math.round(opts.customers * 3.3);
  return Math.round(total * GUEST_ORDER_SHARE);
}

export function generateGuestOrder(ctx: Ctx, k: number): DevOrder {
  const rng = new Rng(hash32(ctx.seed, "guest", k));
  const createdAt = ctx.now - 730 * DAY * rng.next();
  return buildOrder(rng, ctx, ID_BASE.guestOrder + k, null, createdAt, rng.lognormal(55, 0.5));
}

/**
 * Streams every customer with its orders, then guest orders in batches (customer: null). Memory stays bounded by
 * one customer's history whatever the size, so 1,000,000 orders never sit in memory.
 */
export function* generateCustomerHistories(opts: SeedOptions, products?: DevProduct[]): Generator<HistoryItem> {
  const ctx = makeCtx(opts, products);
  for (let i = 0; i < opts.customers; i++) yield generateCustomerWith(ctx, i);
  const guests = guestOrderCount(opts);
  for (let start = 0; start < guests; start += 500) {
    const batch: DevOrder[] = [];
    for (let k = start; k < Math.min(guests, start + 500); k++) batch.push(generateGuestOrder(ctx, k));
    yield { customer: null, orders: batch };
  }
}

/** Opts → (customer index | guest index) for an order id: the streaming store's O(1) order lookup. */
export function locateOrder(orderId: string): { customerIndex: number; k: number } | { guestIndex: number } | null {
  const n = Number(orderId);
  if (!Number.isSafeInteger(n)) return null;
  if (n >= ID_BASE.guestOrder && n < ID_BASE.guestOrder + 1e12) return { guestIndex: n - ID_BASE.guestOrder };
  if (n >= ID_BASE.order && n < ID_BASE.guestOrder) {
    const rel = n - ID_BASE.order;
    return { customerIndex: Math.floor(rel / ORDER_STRIDE), k: rel % ORDER_STRIDE };
  }
  return null;
}

export function customerIndexOf(customerId: string): number | null {
  const n = Number(customerId) - ID_BASE.customer - 1;
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

export function makeShop(opts: { shopDomain?: string; currencyCode?: string; plan?: DevShop["plan"] } = {}): DevShop {
  return {
    domain: opts.shopDomain ?? DEMO_SHOP_DOMAIN,
    name: "Recovery Plays Demo",
    email: "owner@recovery-plays-demo.example",
    currencyCode: opts.currencyCode ?? "USD",
    plan: opts.plan ?? "shopify",
    refundPolicy:
      "You have 30 days after receiving your item to request a return. Items must be unworn, with tags. Refunds are issued to the original payment method within 10 business days of receiving the return.",
    shippingPolicy: "Free standard shipping on orders over $75. Orders ship within 1–2 business days; delivery takes 3–5 business days.",
    // The checkout offers Shop Pay Installments too (DEV_PAYMENT_METHODS): the storefront banner agrees.
    paymentMethods: ["shop_pay", "apple_pay", "google_pay", "visa", "mastercard", "amex", "paypal", "klarna", "shop_pay_installments"],
    // A second market: shoppers choose euros with ?currency=EUR (the cart_currency cookie).
    presentmentRates: (opts.currencyCode ?? "USD") === "EUR" ? { USD: 1.1 } : { EUR: 0.9 },
  };
}

/** The whole store in memory (demo and test sizes). Same seed → same data. */
export function generateStore(opts: SeedOptions & { plan?: DevShop["plan"] }): DevStoreData {
  const now = nowMs(opts);
  const products = generateProducts(opts.seed, opts.products ?? 40, now);
  const customers: DevCustomer[] = [];
  const orders: DevOrder[] = [];
  for (const item of generateCustomerHistories(opts, products)) {
    if (item.customer) customers.push(item.customer);
    for (const o of item.orders) orders.push(o);
  }
  orders.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
  return {
    shop: makeShop({ shopDomain: opts.shopDomain, currencyCode: opts.currencyCode, plan: opts.plan }),
    products,
    customers,
    orders,
    metafields: [],
    discounts: [],
    themeFiles: {},
  };
}

export { makeCtx as _makeCtx };
