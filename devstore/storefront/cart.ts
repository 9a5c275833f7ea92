// Server-side carts keyed by the `cart` cookie token, the Ajax Cart API operations with Shopify-shaped errors,
// automatic and code discounts, and the cart as /cart.js returns it (all money in cents).
import { createHash, randomBytes } from "node:crypto";
import type { DevDiscount, DevStoreData } from "../types";
import { type Catalog, productImageUrl, variantAvailable } from "./catalog";
import { toCents } from "./money";
import { functionLinePercents } from "./functions";

export interface CartLine {
  key: string;
  variantId: string;
  productId: string;
  quantity: number;
  properties: Record<string, string>;
}

export interface Cart {
  token: string;
  lines: CartLine[];
  attributes: Record<string, string>;
  note: string;
  /** Discount codes on the cart as the shopper entered them (applicable or not), in order. */
  discountCodes: string[];
  updatedAt: number;
}

/** A Shopify-shaped cart error: `{ status, message, description }` with the HTTP status. */
export class CartError extends Error {
  constructor(
    readonly status: number,
    readonly description: string,
    readonly title = "Cart Error",
  ) {
    super(description);
  }
  toJSON(): { status: number; message: string; description: string } {
    return { status: this.status, message: this.title, description: this.description };
  }
}

const MAX_CARTS = 50_000;

export class CartStore {
  private carts = new Map<string, Cart>();

  get(token: string | undefined): Cart | undefined {
    return token ? this.carts.get(token) : undefined;
  }

  create(): Cart {
    if (this.carts.size >= MAX_CARTS) {
      // Oldest first (Map keeps insertion order): drop the oldest tenth so load tests can't exhaust memory.
      let n = Math.ceil(MAX_CARTS / 10);
      for (const key of this.carts.keys()) {
        this.carts.delete(key);
        if (--n <= 0) break;
      }
    }
    const token = `c1-${randomBytes(16).toString("hex")}`;
    const cart: Cart = { token, lines: [], attributes: {}, note: "", discountCodes: [], updatedAt: Date.now() };
    this.carts.set(token, cart);
    return cart;
  }

  delete(token: string): void {
    this.carts.delete(token);
  }
}

export function emptyCart(): Cart {
  return { token: "", lines: [], attributes: {}, note: "", discountCodes: [], updatedAt: Date.now() };
}

function lineKey(variantId: string, properties: Record<string, string>): string {
  const h = createHash("md5").update(JSON.stringify(Object.entries(properties).sort())).digest("hex");
  return `${variantId}:${h}`;
}

function toQuantity(v: unknown, fallback: number | null): number {
  if (v === undefined || v === null || v === "") {
    if (fallback === null) throw new CartError(400, "Required parameter missing or invalid: quantity", "Parameter Missing or Invalid");
    return fallback;
  }
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new CartError(422, "Quantity must be a non-negative integer", "Cart Error");
  return n;
}

function toProperties(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (v && typeof v === "object" && !Array.isArray(v)) {
    for (const [k, val] of Object.entries(v)) if (val !== null && val !== undefined && val !== "") out[k] = String(val);
  }
  return out;
}

export interface AddItem {
  id: unknown;
  quantity?: unknown;
  properties?: unknown;
}

/** Adds items (all-or-nothing, like Shopify). Returns the affected lines. */
export function addItems(cart: Cart, items: AddItem[], catalog: Catalog): CartLine[] {
  if (!items.length) throw new CartError(400, "Required parameter missing or invalid: items", "Parameter Missing or Invalid");
  const planned: { line: CartLine; add: number }[] = [];
  const pending = new Map<string, number>();
  for (const item of items) {
    if (item.id === undefined || item.id === null || item.id === "") {
      throw new CartError(400, "Required parameter missing or invalid: items", "Parameter Missing or Invalid");
    }
    const found = catalog.variant(String(item.id));
    if (!found) throw new CartError(422, "Cannot find variant");
    const quantity = toQuantity(item.quantity, 1);
    if (quantity === 0) continue;
    const properties = toProperties(item.properties);
    const key = lineKey(found.variant.id, properties);
    const existing = cart.lines.find((l) => l.key === key);
    const inCartForVariant =
      cart.lines.filter((l) => l.variantId === found.variant.id).reduce((s, l) => s + l.quantity, 0) + (pending.get(found.variant.id) ?? 0);
    if (!variantAvailable(found.variant)) {
      throw new CartError(422, `The product '${found.product.title}' is already sold out.`);
    }
    if (inCartForVariant + quantity > found.variant.inventoryQuantity) {
      throw new CartError(422, `You can only add ${Math.max(0, found.variant.inventoryQuantity - inCartForVariant)} ${found.product.title} to the cart.`);
    }
    pending.set(found.variant.id, (pending.get(found.variant.id) ?? 0) + quantity);
    planned.push({
      line: existing ?? { key, variantId: found.variant.id, productId: found.product.id, quantity: 0, properties },
      add: quantity,
    });
  }
  const touched: CartLine[] = [];
  for (const { line, add } of planned) {
    if (!cart.lines.includes(line)) cart.lines.push(line);
    line.quantity += add;
    if (!touched.includes(line)) touched.push(line);
  }
  cart.updatedAt = Date.now();
  return touched;
}

/** /cart/change.js: by `line` (1-based) or `id` (line key or variant id). */
export function changeLine(cart: Cart, params: { id?: unknown; line?: unknown; quantity?: unknown; properties?: unknown }, catalog: Catalog): void {
  let line: CartLine | undefined;
  if (params.line !== undefined && params.line !== null && params.line !== "") {
    const n = Number(params.line);
    if (!Number.isInteger(n) || n < 1 || n > cart.lines.length) {
      throw new CartError(400, "no valid id or line parameter", "no valid id or line parameter");
    }
    line = cart.lines[n - 1];
  } else if (params.id !== undefined && params.id !== null && params.id !== "") {
    const id = String(params.id);
    line = id.includes(":") ? cart.lines.find((l) => l.key === id) : cart.lines.find((l) => l.variantId === id);
    if (!line) throw new CartError(400, "no valid id or line parameter", "no valid id or line parameter");
  } else {
    throw new CartError(400, "no valid id or line parameter", "no valid id or line parameter");
  }
  const quantity = toQuantity(params.quantity, line.quantity);
  if (quantity > 0) {
    const found = catalog.variant(line.variantId);
    if (found && quantity > found.variant.inventoryQuantity) {
      throw new CartError(422, `You can only add ${found.variant.inventoryQuantity} ${found.product.title} to the cart.`);
    }
  }
  if (params.properties !== undefined) {
    line.properties = toProperties(params.properties);
    line.key = lineKey(line.variantId, line.properties);
  }
  line.quantity = quantity;
  if (quantity === 0) cart.lines.splice(cart.lines.indexOf(line), 1);
  cart.updatedAt = Date.now();
}

/** /cart/update.js: `updates` (object id→qty or array by line), `attributes`, `note`, `discount`. */
export function updateCart(cart: Cart, params: Record<string, unknown>, catalog: Catalog): void {
  const updates = params.updates;
  if (Array.isArray(updates)) {
    const quantities = updates.map((q) => toQuantity(q, 0));
    quantities.forEach((q, i) => {
      if (cart.lines[i]) cart.lines[i].quantity = q;
    });
  } else if (updates && typeof updates === "object") {
    for (const [id, q] of Object.entries(updates)) {
      const quantity = toQuantity(q, 0);
      const line = id.includes(":") ? cart.lines.find((l) => l.key === id) : cart.lines.find((l) => l.variantId === id);
      if (line) line.quantity = quantity;
      else if (quantity > 0) addItems(cart, [{ id, quantity }], catalog);
    }
  }
  cart.lines = cart.lines.filter((l) => l.quantity > 0);
  if (params.attributes && typeof params.attributes === "object" && !Array.isArray(params.attributes)) {
    for (const [k, v] of Object.entries(params.attributes)) {
      // Shopify removes an attribute when it is set to a blank value.
      if (v === null || v === undefined || v === "") delete cart.attributes[k];
      else cart.attributes[k] = String(v);
    }
  }
  if (params.note !== undefined && params.note !== null) cart.note = String(params.note);
  if (params.discount !== undefined && params.discount !== null) cart.discountCodes = parseDiscountParam(params.discount);
  cart.updatedAt = Date.now();
}

const MAX_CODES = 250;
const sameCode = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * `discount` on /cart/update.js is the cart's complete set of codes, comma-separated ("" removes them all), as
 * Shopify's Cart AJAX API takes it. Codes are case-insensitive: a repeat in another case is dropped.
 */
function parseDiscountParam(v: unknown): string[] {
  if (typeof v !== "string") throw new CartError(400, "Required parameter missing or invalid: discount", "Parameter Missing or Invalid");
  const codes: string[] = [];
  for (const raw of v.split(",")) {
    const code = raw.trim();
    if (code && !codes.some((c) => sameCode(c, code))) codes.push(code);
  }
  if (codes.length > MAX_CODES) throw new CartError(422, `Discount codes can't be more than ${MAX_CODES}`);
  if (codes.some((c) => c.length > 255)) throw new CartError(422, "Discount code is too long (maximum is 255 characters)");
  return codes;
}

/** GET /discount/CODE (the shareable link): adds the code to the cart's codes unless it is already there. */
export function addDiscountCode(cart: Cart, code: string): void {
  const c = code.trim();
  if (!c || c.length > 255 || cart.discountCodes.some((x) => sameCode(x, c))) return;
  if (cart.discountCodes.length >= MAX_CODES) return;
  cart.discountCodes.push(c);
  cart.updatedAt = Date.now();
}

export function clearCart(cart: Cart): void {
  cart.lines = [];
  cart.updatedAt = Date.now();
}

export interface PricedLine {
  line: CartLine;
  title: string;
  productTitle: string;
  variantTitle: string;
  sku: string;
  vendor: string;
  handle: string;
  productType: string;
  unitCents: number;
  originalLineCents: number;
  discountCents: number;
  finalLineCents: number;
}

export interface DiscountApplication {
  discount: DevDiscount;
  /** "discount_code" when a code on the cart brought it in, else "automatic". */
  type: "automatic" | "discount_code";
  /** The code as the shopper entered it (discount_code only). */
  code: string | null;
  /** Shopify's application title: the code for a discount code, the discount's title for an automatic one. */
  title: string;
  /** Percent off (10 = 10 %), or null for a fixed amount. */
  percentage: number | null;
  amount: number;
}

export interface PricedCart {
  lines: PricedLine[];
  itemCount: number;
  originalTotal: number;
  totalDiscount: number;
  total: number;
  applications: DiscountApplication[];
  /** Every code on the cart and whether it is applied to this cart (Shopify's `discount_codes`). */
  discountCodes: { code: string; applicable: boolean }[];
}

const inWindow = (d: DevDiscount, now: number) =>
  d.status === "ACTIVE" && Date.parse(d.startsAt) <= now && (d.endsAt === null || Date.parse(d.endsAt) > now);

/** Every code a code discount answers to: its own and the redeem codes added in bulk (discountRedeemCodeBulkAdd). */
const codesOfDiscount = (d: DevDiscount): string[] => (d.code ? [d.code, ...(d.redeemCodes ?? [])] : [...(d.redeemCodes ?? [])]);

/**
 * Orders placed with this code (case-insensitive): a code at its usage limit no longer applies. The limit counts
 * per redeem code, as on Shopify ("that limit … applies to each individual redeem code you create, not the
 * combined total across all codes": community.shopify.dev/t/…/12269).
 */
function usageLeft(d: DevDiscount, code: string, data: DevStoreData): boolean {
  if (d.usageLimit == null) return true;
  const used = data.orders.filter((o) => o.discountCodes.some((c) => sameCode(c, code))).length;
  return used < d.usageLimit;
}

/** Shopify's checkout error for a code whose usage limit is reached (the order cannot be placed with it). */
export const USAGE_LIMIT_MESSAGE = "This discount has reached its usage limit";

/** The cart's codes of a live code discount that reached their usage limit: checkout refuses the order with them. */
export function exhaustedCodes(cart: Cart, data: DevStoreData, now = Date.now()): string[] {
  const out: string[] = [];
  for (const entered of cart.discountCodes ?? []) {
    const d = (data.discounts ?? []).find((x) => (x.kind === "code_basic" || x.kind === "code_app") && codesOfDiscount(x).some((c) => sameCode(c, entered)));
    if (d && inWindow(d, now) && !usageLeft(d, entered, data)) out.push(entered);
  }
  return out;
}

/**
 * The discount amounts per line (cents), or null when the discount doesn't apply to this cart: its minimum
 * requirement (quantity or subtotal of the items it applies to) isn't met, or (bundle) fewer than two of its
 * products are in the cart. Percentage off every eligible line; a fixed amount is spread over them pro rata.
 */
function discountAmounts(d: DevDiscount, lines: PricedLine[]): number[] | null {
  if (d.kind === "code_app") {
    const percents = functionLinePercents(d, lines.map((pl) => pl.line));
    return percents && lines.map((pl, i) => Math.round((pl.originalLineCents * percents[i]) / 100));
  }
  const ids = new Set(d.productIds.map(String));
  const eligible = (pl: PricedLine) => (ids.size === 0 && d.appliesToAll !== false) || ids.has(pl.line.productId);
  const entitled = lines.filter(eligible);
  if (d.kind === "automatic_bxgy" && new Set(entitled.map((pl) => pl.line.productId)).size < 2) return null;
  const quantity = entitled.reduce((s, pl) => s + pl.line.quantity, 0);
  const subtotal = entitled.reduce((s, pl) => s + pl.originalLineCents, 0);
  if (quantity === 0) return null;
  if (d.minimumQuantity != null && quantity < d.minimumQuantity) return null;
  if (d.minimumSubtotal != null && subtotal < toCents(d.minimumSubtotal)) return null;
  if (d.amount) {
    const off = Math.min(toCents(d.amount), subtotal);
    let left = off;
    const last = lines.map(eligible).lastIndexOf(true);
    return lines.map((pl, i) => {
      if (!eligible(pl)) return 0;
      const share = i === last ? left : Math.round((off * pl.originalLineCents) / subtotal);
      left -= share;
      return share;
    });
  }
  return lines.map((pl) => (eligible(pl) ? Math.round(pl.originalLineCents * d.percentage) : 0));
}

/**
 * Prices the cart. Candidates are the ACTIVE automatic discounts and the ACTIVE code discounts one of whose codes
 * (its own or a redeem code added in bulk) is on the cart (case-insensitive, that code's usage limit not reached); each must meet its minimum requirement. Discounts that
 * don't combine: the single best one applies (what Shopify does for non-combining product discounts). A code on
 * the cart is `applicable` only when its discount is the one applied.
 * `automatic_basic` / `code_basic` take their value off every line whose product they list (all when none);
 * `automatic_bxgy` is the bundle: it applies to the listed products only when the cart holds two different ones.
 * `code_app` runs the discount's Function (./functions.ts) and takes off what it returns, line by line.
 */
export function priceCart(cart: Cart, catalog: Catalog, data: DevStoreData, now = Date.now()): PricedCart {
  const lines: PricedLine[] = [];
  for (const line of cart.lines) {
    const found = catalog.variant(line.variantId);
    if (!found) continue;
    const unit = toCents(found.variant.price);
    const onlyDefault = found.product.variants.length === 1 && /^default( title)?$/i.test(found.variant.title);
    lines.push({
      line,
      title: onlyDefault ? found.product.title : `${found.product.title} - ${found.variant.title}`,
      productTitle: found.product.title,
      variantTitle: found.variant.title,
      sku: found.variant.sku,
      vendor: found.product.vendor,
      handle: found.product.handle,
      productType: found.product.productType,
      unitCents: unit,
      originalLineCents: unit * line.quantity,
      discountCents: 0,
      finalLineCents: unit * line.quantity,
    });
  }
  const codes = cart.discountCodes ?? [];
  const candidates: { discount: DevDiscount; code: string | null }[] = [];
  for (const d of data.discounts ?? []) {
    if (!inWindow(d, now)) continue;
    if (d.kind === "automatic_basic" || d.kind === "automatic_bxgy") candidates.push({ discount: d, code: null });
    else if (d.kind === "code_basic" || d.kind === "code_app") {
      const own = codesOfDiscount(d);
      const entered = codes.find((c) => own.some((x) => sameCode(c, x)));
      if (entered && usageLeft(d, entered, data)) candidates.push({ discount: d, code: entered });
    }
  }
  let best: { discount: DevDiscount; code: string | null; amounts: number[]; total: number } | null = null;
  for (const c of candidates) {
    const amounts = discountAmounts(c.discount, lines);
    if (!amounts) continue;
    const total = amounts.reduce((s, a) => s + a, 0);
    if (total > 0 && (!best || total > best.total)) best = { ...c, amounts, total };
  }
  const applications: DiscountApplication[] = [];
  if (best) {
    lines.forEach((pl, i) => {
      pl.discountCents = best.amounts[i];
      pl.finalLineCents = pl.originalLineCents - pl.discountCents;
    });
    const d = best.discount;
    applications.push({
      discount: d,
      type: best.code ? "discount_code" : "automatic",
      code: best.code,
      title: best.code ?? d.title,
      percentage: d.amount ? null : Math.round(d.percentage * 10000) / 100,
      amount: best.total,
    });
  }
  const originalTotal = lines.reduce((s, l) => s + l.originalLineCents, 0);
  const totalDiscount = lines.reduce((s, l) => s + l.discountCents, 0);
  return {
    lines,
    itemCount: lines.reduce((s, l) => s + l.line.quantity, 0),
    originalTotal,
    totalDiscount,
    total: originalTotal - totalDiscount,
    applications,
    discountCodes: codes.map((code) => ({ code, applicable: !!best?.code && sameCode(best.code, code) })),
  };
}

/** A discount application as the Ajax Cart API shows it inside `line_level_discount_allocations`. */
export function applicationJson(a: DiscountApplication): Record<string, unknown> {
  return {
    type: a.type,
    key: a.code ?? `automatic-${a.discount.id}`,
    title: a.title,
    description: a.type === "discount_code" ? a.discount.title : "",
    value: a.percentage !== null ? a.percentage.toFixed(1) : (a.discount.amount ?? 0).toFixed(2),
    created_at: a.discount.createdAt ?? a.discount.startsAt,
    value_type: a.percentage !== null ? "percentage" : "fixed_amount",
    allocation_method: "across",
    target_selection: a.discount.appliesToAll === false || a.discount.kind === "automatic_bxgy" ? "entitled" : "all",
    target_type: "line_item",
    total_allocated_amount: a.amount,
  };
}

function itemJson(pl: PricedLine, catalog: Catalog, application: Record<string, unknown> | null): Record<string, unknown> {
  const product = catalog.product(pl.line.productId);
  const image = product ? productImageUrl(product) : null;
  const unitFinal = pl.line.quantity ? Math.round(pl.finalLineCents / pl.line.quantity) : pl.unitCents;
  const allocations = pl.discountCents && application ? [{ amount: pl.discountCents, discount_application: application }] : [];
  return {
    id: Number(pl.line.variantId),
    properties: pl.line.properties,
    quantity: pl.line.quantity,
    variant_id: Number(pl.line.variantId),
    key: pl.line.key,
    title: pl.title,
    price: pl.unitCents,
    original_price: pl.unitCents,
    presentment_price: pl.unitCents / 100,
    discounted_price: unitFinal,
    line_price: pl.finalLineCents,
    original_line_price: pl.originalLineCents,
    total_discount: pl.discountCents,
    discounts: pl.discountCents && application ? [{ amount: pl.discountCents, title: application.title }] : [],
    sku: pl.sku,
    grams: 0,
    vendor: pl.vendor,
    taxable: true,
    product_id: Number(pl.line.productId),
    product_has_only_default_variant: pl.title === pl.productTitle,
    gift_card: false,
    final_price: unitFinal,
    final_line_price: pl.finalLineCents,
    url: `/products/${pl.handle}?variant=${pl.line.variantId}`,
    featured_image: image ? { aspect_ratio: 1, alt: pl.productTitle, height: 800, url: image, width: 800 } : null,
    image,
    handle: pl.handle,
    requires_shipping: true,
    product_type: pl.productType,
    product_title: pl.productTitle,
    product_description: product?.description ?? "",
    variant_title: pl.title === pl.productTitle ? null : pl.variantTitle,
    variant_options: [pl.variantTitle],
    options_with_values: [{ name: "Title", value: pl.variantTitle }],
    line_level_discount_allocations: allocations,
    line_level_total_discount: pl.discountCents,
  };
}

/** The cart exactly as `/cart.js` returns it. */
export function cartJson(cart: Cart, catalog: Catalog, data: DevStoreData): Record<string, unknown> {
  const priced = priceCart(cart, catalog, data);
  const application = priced.applications[0] ? applicationJson(priced.applications[0]) : null;
  return {
    token: cart.token,
    note: cart.note || null,
    attributes: cart.attributes,
    original_total_price: priced.originalTotal,
    total_price: priced.total,
    total_discount: priced.totalDiscount,
    total_weight: 0,
    item_count: priced.itemCount,
    items: priced.lines.map((pl) => itemJson(pl, catalog, application)),
    requires_shipping: priced.itemCount > 0,
    currency: data.shop.currencyCode,
    items_subtotal_price: priced.total,
    // Product-level (line) discounts only: Shopify lists order-level ones here, which the dev store doesn't model.
    cart_level_discount_applications: [],
    discount_codes: priced.discountCodes,
  };
}

/** One line as /cart/add.js returns it for a single added item. */
export function lineJson(cart: Cart, line: CartLine, catalog: Catalog, data: DevStoreData): Record<string, unknown> {
  const priced = priceCart(cart, catalog, data);
  const pl = priced.lines.find((l) => l.line === line)!;
  return itemJson(pl, catalog, priced.applications[0] ? applicationJson(priced.applications[0]) : null);
}
