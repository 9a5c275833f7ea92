// Checkout behaviour on the dev store's Admin side: the app's web pixel record (webPixelCreate / webPixelUpdate /
// webPixel, settings validated against the pixel extension's declared settings) and the abandoned checkouts the
// storefront's checkout leaves behind (`abandonedCheckouts`). Sources: docs/devstore-fidelity.md.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseToml } from "smol-toml";
import type { AdminContext } from "./context";
import { matches, parseSearch } from "./search";
import type { DevCheckout, DevStoreData } from "../types";

type Args = Record<string, any>;
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const gid = (type: string, id: string | number) => `gid://shopify/${type}/${id}`;

/**
 * Shopify's help center: "A checkout is considered abandoned if it remains incomplete for more than ten minutes
 * after the customer has provided their email information."
 */
export const ABANDON_AFTER_MS = 10 * 60_000;

// ------------------------------------------------------------------------------------------------- web pixels

export interface PixelSettingField { key: string; type: string; min: number | null }
export interface PixelExtensionDef { dir: string; handle: string; name: string; runtimeContext: string; customerPrivacy: Record<string, unknown>; fields: PixelSettingField[] }

/** The app's web pixel extension (type web_pixel_extension) as its shopify.extension.toml declares it. */
export function pixelExtension(root = path.join(REPO, "extensions")): PixelExtensionDef | null {
  if (!existsSync(root)) return null;
  for (const dir of readdirSync(root)) {
    const file = path.join(root, dir, "shopify.extension.toml");
    if (!existsSync(file)) continue;
    const toml = parseToml(readFileSync(file, "utf8")) as any;
    if (toml.type !== "web_pixel_extension") continue;
    const fields = Object.entries((toml.settings?.fields ?? {}) as Record<string, any>).map(([key, f]) => ({
      key,
      type: String(f.type),
      min: Number((f.validations ?? []).find((v: any) => v.name === "min")?.value ?? NaN) || null,
    }));
    return { dir: path.join(root, dir), handle: String(toml.handle ?? dir), name: String(toml.name ?? dir), runtimeContext: String(toml.runtime_context ?? ""), customerPrivacy: toml.customer_privacy ?? {}, fields };
  }
  return null;
}

const pixelsOf = (state: DevStoreData) => (state.webPixels ??= []);

function settingsError(def: PixelExtensionDef, raw: unknown): string | null {
  let settings: unknown = raw;
  if (typeof raw === "string") {
    try {
      settings = JSON.parse(raw);
    } catch {
      return "Settings must be a JSON object.";
    }
  }
  if (!settings || typeof settings !== "object" || Array.isArray(settings)) return "Settings must be a JSON object.";
  const s = settings as Record<string, unknown>;
  for (const k of Object.keys(s)) if (!def.fields.some((f) => f.key === k)) return `Setting '${k}' is not defined by the extension.`;
  for (const f of def.fields) {
    const v = s[f.key];
    if (typeof v !== "string") return `Setting '${f.key}' is required.`;
    if (f.min !== null && v.length < f.min) return `Setting '${f.key}' must be at least ${f.min} characters.`;
  }
  return null;
}

function parsedSettings(raw: unknown): Record<string, string> {
  return (typeof raw === "string" ? JSON.parse(raw) : raw) as Record<string, string>;
}

const pixelOut = (p: { id: string; settings: Record<string, string> }) => ({ __typename: "WebPixel", id: gid("WebPixel", p.id), settings: JSON.stringify(p.settings) });

export function webPixelCreate(ctx: AdminContext, input: Args) {
  const ue = (message: string, code: string) => ({ webPixel: null, userErrors: [{ field: ["webPixel", "settings"], message, code }] });
  const def = pixelExtension();
  if (!def) return ue("No web pixel extension is deployed for this app.", "NO_EXTENSION");
  const pixels = pixelsOf(ctx.env.state);
  if (pixels.length) return ue("A web pixel already exists for this app; use webPixelUpdate.", "TAKEN");
  const bad = settingsError(def, input?.settings);
  if (bad) return ue(bad, "INVALID_SETTINGS");
  const p = { id: String(ctx.env.nextId()), settings: parsedSettings(input.settings) };
  pixels.push(p);
  return { webPixel: pixelOut(p), userErrors: [] };
}

export function webPixelUpdate(ctx: AdminContext, id: string, input: Args) {
  const ue = (message: string, code: string) => ({ webPixel: null, userErrors: [{ field: ["webPixel", "settings"], message, code }] });
  const def = pixelExtension();
  if (!def) return ue("No web pixel extension is deployed for this app.", "NO_EXTENSION");
  const p = pixelsOf(ctx.env.state).find((x) => gid("WebPixel", x.id) === id);
  if (!p) return ue("Web pixel not found.", "NOT_FOUND");
  const bad = settingsError(def, input?.settings);
  if (bad) return ue(bad, "INVALID_SETTINGS");
  p.settings = parsedSettings(input.settings);
  return { webPixel: pixelOut(p), userErrors: [] };
}

/** `webPixel(id:)`: the app's pixel; without an id, the app's only one. Not found is an error, as on Shopify. */
export function webPixel(ctx: AdminContext, id: string | null | undefined) {
  const p = pixelsOf(ctx.env.state).find((x) => !id || gid("WebPixel", x.id) === id);
  return p ? pixelOut(p) : null;
}

/** The settings the storefront hands the pixel (null while the app has not activated it). */
export function activePixelSettings(state: DevStoreData): Record<string, string> | null {
  return pixelsOf(state)[0]?.settings ?? null;
}

// ---------------------------------------------------------------------------------------- abandoned checkouts

/** Whether Shopify would list this checkout as abandoned (or recovered, once completed after that) at `now`. */
export function isAbandoned(c: DevCheckout, now: number): boolean {
  if (!c.contactAt) return false;
  if (c.completedAt) return c.abandonedAt != null;
  return now - Date.parse(c.updatedAt) >= ABANDON_AFTER_MS;
}

const checkoutSearch = {
  id: (c: DevCheckout) => Number(c.id),
  created_at: (c: DevCheckout) => c.createdAt,
  updated_at: (c: DevCheckout) => c.updatedAt,
  customer_id: (c: DevCheckout) => (c.customerId ? Number(c.customerId) : null),
};

/** Shopify's connection paging (first/after…), handed in by the resolvers that own it. */
type Paginate = <T>(items: T[], args: Args, ctx: AdminContext, key: (t: T) => string, wrap: (t: T) => unknown) => unknown;

export function abandonedCheckouts(ctx: AdminContext, args: Args, connection: Paginate) {
  const state = ctx.env.state;
  // Wall-clock time, as the storefront stamps its checkouts (and its orders) with it.
  const now = abandonClock(state);
  const groups = parseSearch(args.query);
  const list = (state.checkouts ?? [])
    .filter((c) => isAbandoned(c, now))
    .filter((c) => matches(c, groups, checkoutSearch, (x) => x.id));
  const key = args.sortKey === "CREATED_AT" ? (c: DevCheckout) => c.createdAt : args.sortKey === "TOTAL_PRICE" ? (c: DevCheckout) => c.total : (c: DevCheckout) => Number(c.id);
  const sorted = [...list].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  if (args.reverse) sorted.reverse();
  return connection(sorted, args, ctx, (c) => c.id, (c) => abandonedOut(ctx, c));
}

function money(amount: number, currency: string) {
  const m = { amount: amount.toFixed(2), currencyCode: currency };
  return { shopMoney: m, presentmentMoney: m };
}

function abandonedOut(ctx: AdminContext, c: DevCheckout) {
  const currency = ctx.env.state.shop.currencyCode;
  return {
    __typename: "AbandonedCheckout",
    id: gid("AbandonedCheckout", c.id),
    name: `#${c.id}`,
    note: "",
    abandonedCheckoutUrl: `${ctx.env.storeUrl.replace(/\/$/, "")}/checkouts/${c.token}/recover`,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    completedAt: c.completedAt,
    customAttributes: c.attributes.map((a) => ({ __typename: "Attribute", key: a.key, value: a.value })),
    customer: c.customerId ? ctx.env.data.customer(c.customerId) ?? null : null,
    discountCodes: [],
    lineItemsQuantity: c.quantity,
    subtotalPriceSet: money(c.total, currency),
    totalPriceSet: money(c.total, currency),
    totalLineItemsPriceSet: money(c.total, currency),
    totalDiscountSet: money(0, currency),
    totalTaxSet: money(0, currency),
    totalDutiesSet: null,
    taxLines: [],
    taxesIncluded: false,
    billingAddress: null,
    shippingAddress: null,
  };
}

// The abandonment clock runs ahead of the wall clock by what tests asked for (`ageCheckouts`): checkouts and the
// pixel's events keep their real timestamps, only "ten minutes have passed" comes sooner.
const skews = new WeakMap<DevStoreData, number>();

/** Now, as the ten-minute rule sees it for this store. */
export const abandonClock = (state: DevStoreData) => Date.now() + (skews.get(state) ?? 0);

/** The dev store's reset: no checkouts, the abandonment clock back on the wall clock. */
export function resetCheckouts(state: DevStoreData): void {
  state.checkouts = [];
  skews.delete(state);
}

/** Test hook: as if `ms` passed for the open checkouts (their shoppers left that long ago). Returns how many are open. */
export function ageCheckouts(state: DevStoreData, ms: number): number {
  skews.set(state, (skews.get(state) ?? 0) + Math.max(0, ms));
  return (state.checkouts ?? []).filter((c) => !c.completedAt).length;
}
