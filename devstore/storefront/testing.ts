// Test support for the storefront: a small hand-made store, a server on port 0 that mounts the handler the way
// devstore/server.ts does, and a shopper with a cookie jar.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { DevMetafield, DevStoreData } from "../types";
import { type StorefrontOptions, createStorefrontHandler } from "./index";
import type { StorefrontContext } from "./context";
import { normalizeNamespace } from "../admin/mutations";

export const TEST_SHOP = "test-shop.myshopify.com";
export const TEST_API_KEY = "test-api-key";
/** Numeric app id (distinct from the API key): app-reserved namespaces are stored as `app--<TEST_APP_ID>--x`. */
export const TEST_APP_ID = "4000000009";
export const TEST_API_SECRET = "test-api-secret";

/** A small store: 6 products in two collections, two customers (one with orders), one bundle discount. */
export function sampleStore(): DevStoreData {
  const product = (id: number, handle: string, title: string, collection: string, price: number, extra: Partial<DevStoreData["products"][number]> = {}) => ({
    id: String(id),
    handle,
    title,
    description: `${title} description`,
    productType: collection === "kitchen" ? "Kitchen" : "Apparel",
    vendor: "Dev Goods",
    tags: [collection],
    collection,
    imageUrl: null,
    variants: [{ id: String(id * 10 + 1), productId: String(id), title: "Default Title", price, sku: `SKU-${id}`, inventoryQuantity: 50 }],
    related: [] as string[],
    complementary: [] as string[],
    createdAt: "2025-01-01T00:00:00.000Z",
    ...extra,
  });
  const products = [
    product(101, "linen-shirt", "Linen Shirt", "apparel", 48, { related: ["102", "103"], complementary: ["104"] }),
    product(102, "cotton-tee", "Cotton Tee", "apparel", 20, { related: ["101"] }),
    product(103, "wool-sweater", "Wool Sweater", "apparel", 90, {
      variants: [
        { id: "1031", productId: "103", title: "Small", price: 90, sku: "WS-S", inventoryQuantity: 5 },
        { id: "1032", productId: "103", title: "Large", price: 95, sku: "WS-L", inventoryQuantity: 0 },
      ],
    }),
    product(104, "canvas-belt", "Canvas Belt", "apparel", 25),
    product(201, "chef-knife", "Chef Knife", "kitchen", 120, { complementary: ["202"] }),
    product(202, "cutting-board", "Cutting <Board>", "kitchen", 35),
  ];
  return {
    shop: {
      domain: TEST_SHOP,
      name: "Test Shop",
      email: "hello@test-shop.example",
      currencyCode: "USD",
      plan: "shopify",
      refundPolicy: "Free 30-day returns on every order.\n\nRefunds go back to the original payment method.",
      shippingPolicy: "Free shipping on orders over $75.",
      paymentMethods: ["Shop Pay", "Apple Pay", "Visa", "Klarna"],
    },
    products,
    customers: [
      { id: "9001", email: "vip@example.com", firstName: "Vera", lastName: "Ip", createdAt: "2024-01-01T00:00:00.000Z", password: "hunter22", rfmGroup: "CHAMPIONS" },
      { id: "9002", email: "new@example.com", firstName: "Nate", lastName: "New", createdAt: "2025-02-01T00:00:00.000Z", password: "", rfmGroup: null },
    ],
    orders: [
      {
        id: "7001",
        name: "#1001",
        customerId: "9001",
        createdAt: "2025-03-01T10:00:00.000Z",
        updatedAt: "2025-03-01T10:00:00.000Z",
        cancelledAt: null,
        financialStatus: "PAID",
        currencyCode: "USD",
        subtotal: 120,
        totalDiscounts: 0,
        total: 120,
        refunded: 0,
        refunds: [],
        lineItems: [{ id: "70011", productId: "201", variantId: "2011", title: "Chef Knife", quantity: 1, price: 120 }],
        attributes: [],
        discountCodes: [],
      },
    ],
    metafields: [],
    discounts: [
      {
        id: "301",
        title: "Better Together",
        kind: "automatic_bxgy",
        percentage: 0.1,
        productIds: ["201", "202"],
        status: "ACTIVE",
        startsAt: "2025-01-01T00:00:00.000Z",
        endsAt: null,
      },
    ],
    themeFiles: {},
  };
}

export interface TestStorefront {
  url: string;
  ctx: StorefrontContext;
  webhooks: { topic: string; payload: unknown }[];
  close(): Promise<void>;
}

/** Starts the storefront on 127.0.0.1:0 with a context built from `data` (404 for anything it doesn't serve). */
export async function startStorefront(
  opts: { data?: DevStoreData; appUrl?: string; options?: StorefrontOptions; metafields?: DevMetafield[] } = {},
): Promise<TestStorefront> {
  const data = opts.data ?? sampleStore();
  const webhooks: { topic: string; payload: unknown }[] = [];
  const metafields = opts.metafields ?? data.metafields;
  const ctx: StorefrontContext = {
    state: data,
    shopDomain: data.shop.domain,
    appUrl: opts.appUrl ?? "http://127.0.0.1:9",
    apiKey: TEST_API_KEY,
    apiSecret: TEST_API_SECRET,
    storeUrl: "http://127.0.0.1",
    deliverWebhook: async (topic, payload) => {
      webhooks.push({ topic, payload });
    },
    appMetafield: (namespace, key) => {
      const ns = normalizeNamespace(namespace, TEST_APP_ID);
      return metafields.find((m) => m.namespace === ns && m.key === key);
    },
  };
  const handler = createStorefrontHandler(ctx, opts.options);
  const server = http.createServer((req, res) => {
    handler(req, res).then((handled) => {
      if (!handled) {
        res.writeHead(404, { "content-type": "text/plain" });
        res.end("not a storefront path");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  ctx.storeUrl = url;
  return {
    url,
    ctx,
    webhooks,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A shopper: fetch with a cookie jar and no automatic redirects. */
export class Shopper {
  readonly cookies = new Map<string, string>();
  constructor(private readonly base: string) {}

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(this.base + path, { ...init, headers, redirect: "manual" });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(";");
      const i = pair.indexOf("=");
      const name = pair.slice(0, i).trim();
      const value = pair.slice(i + 1).trim();
      if (!value || attrs.some((a) => /max-age=0\b/i.test(a.trim()))) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  get(path: string): Promise<Response> {
    return this.fetch(path);
  }

  async html(path: string): Promise<string> {
    return (await this.get(path)).text();
  }

  postJson(path: string, body: unknown): Promise<Response> {
    return this.fetch(path, { method: "POST", headers: { "content-type": "application/json", accept: "application/json" }, body: JSON.stringify(body) });
  }

  postForm(path: string, body: Record<string, string>): Promise<Response> {
    return this.fetch(path, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(body).toString() });
  }
}
