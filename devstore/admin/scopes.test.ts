// Scopes and protected customer data: the dev store refuses what Shopify refuses (missing scope, unapproved
// protected data, an app proxy without write_app_proxy), and the app declares exactly what its Admin documents need.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Kind, TypeInfo, getNamedType, isObjectType, parse, visit, visitWithTypeInfo } from "graphql";
import { parse as parseToml } from "smol-toml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminSchema } from "../../app/graphql/schema.server";
import { startDevStore, type DevStore } from "../server";
import { DECLARED_PROTECTED_DATA } from "../config";
import { startStorefront, type TestStorefront } from "../storefront/testing";
import { ALSO_REQUIRED, PROTECTED_FIELDS, PROTECTED_OBJECTS, REQUIRED_SCOPE, hasScope } from "./scopes";

const REPO = path.resolve(__dirname, "..", "..");
const API_KEY = "scopes-api-key";
const API_SECRET = "scopes-api-secret";

let store: DevStore;
let receiver: Server;
const received: string[] = [];

async function tokenFor(scopes: string[]): Promise<string> {
  const saved = store.env.scopes;
  store.env.scopes = scopes;
  try {
    const res = await fetch(`${store.url}/admin/oauth/access_token`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-shopify-shop-domain": store.shopDomain },
      body: JSON.stringify({
        client_id: API_KEY,
        client_secret: API_SECRET,
        grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
        subject_token: store.sessionToken(),
        subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
        requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
      }),
    });
    return ((await res.json()) as { access_token: string }).access_token;
  } finally {
    store.env.scopes = saved;
  }
}

async function gql(token: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`${store.url}/admin/api/2026-07/graphql.json`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-shopify-access-token": token, "x-shopify-shop-domain": store.shopDomain },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    received.push(String(req.headers["x-shopify-topic"]));
    req.resume();
    req.on("end", () => res.writeHead(200).end());
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  const port = (receiver.address() as AddressInfo).port;
  store = await startDevStore({ port: 0, appUrl: `http://127.0.0.1:${port}`, apiKey: API_KEY, apiSecret: API_SECRET, seed: 7, size: "test", quiet: true, webhookRetries: 0 });
});

afterAll(async () => {
  await store.stop();
  await new Promise<void>((r) => receiver.close(() => r()));
});

describe("access scopes", () => {
  // A denied non-null field (every connection is `…Connection!`) nulls its parent, here the whole `data`.
  it("GIVEN a token granted without read_orders WHEN it queries orders THEN Shopify's ACCESS_DENIED error comes back and no data", async () => {
    const token = await tokenFor(["read_customers", "write_discounts"]);
    const { status, body } = await gql(token, `{ orders(first: 1) { nodes { id } } shop { id } }`);
    expect(status).toBe(200);
    expect(body.data).toBeNull();
    expect(body.errors).toEqual([
      expect.objectContaining({
        message: "Access denied for orders field. Required access: `read_orders` access scope.",
        path: ["orders"],
        extensions: { code: "ACCESS_DENIED", documentation: "https://shopify.dev/api/usage/access-scopes", requiredAccess: "`read_orders` access scope." },
      }),
    ]);
  });

  it("GIVEN a token granted read_orders only WHEN it reads an order's customer THEN that field is denied and the order still resolves", async () => {
    const doc = `{ orders(first: 20) { nodes { id customer { id } } } }`;
    const full = await gql(await tokenFor(store.env.scopes), doc);
    const withCustomer = full.body.data.orders.nodes.filter((n: { customer: unknown }) => n.customer).length;
    expect(withCustomer).toBeGreaterThan(0);
    const { body } = await gql(await tokenFor(["read_orders", "read_all_orders"]), doc);
    expect(body.data.orders.nodes.map((n: { id: string }) => n.id)).toEqual(full.body.data.orders.nodes.map((n: { id: string }) => n.id));
    expect(body.data.orders.nodes.every((n: { customer: unknown }) => n.customer === null)).toBe(true);
    expect(body.errors[0]).toEqual(expect.objectContaining({ message: "Access denied for customer field. Required access: `read_customers` access scope.", path: ["orders", "nodes", 0, "customer"] }));
  });

  it("GIVEN a token granted write_orders WHEN it reads orders THEN the write scope implies read", async () => {
    const token = await tokenFor(["write_orders"]);
    const { body } = await gql(token, `{ orders(first: 1) { nodes { id } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.orders.nodes).toHaveLength(1);
  });

  it("GIVEN a token without write_discounts WHEN it creates a code discount THEN the mutation is denied", async () => {
    const token = await tokenFor(["read_customers", "read_orders"]);
    const { body } = await gql(token, `mutation { discountCodeDeactivate(id: "gid://shopify/DiscountCodeNode/1") { userErrors { message } } }`);
    expect(body.data.discountCodeDeactivate).toBeNull();
    expect(body.errors[0].message).toBe("Access denied for discountCodeDeactivate field. Required access: `write_discounts` access scope.");
  });

  it("GIVEN the scope-to-field tables WHEN checked against the pinned 2026-07 schema THEN every field they name exists", () => {
    const schema = adminSchema();
    const missing = [...Object.keys(REQUIRED_SCOPE), ...Object.keys(PROTECTED_OBJECTS), ...Object.keys(PROTECTED_FIELDS)].filter((key) => {
      const [type, field] = key.split(".") as [string, string];
      const t = schema.getType(type);
      return !(t && isObjectType(t) && t.getFields()[field]);
    });
    expect(missing).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------- the app's declaration

/** Every `#graphql` document the app sends (template literals in app/, tests excluded). */
function appDocuments(): { file: string; source: string }[] {
  const out: { file: string; source: string }[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) {
        const text = readFileSync(full, "utf8");
        for (const m of text.matchAll(/`#graphql([^`]*)`/g)) out.push({ file: path.relative(REPO, full), source: m[1]! });
      }
    }
  };
  walk(path.join(REPO, "app"));
  return out;
}

/** `Type.field` of every field a document selects, resolved with the schema (fragments and inline fragments too). */
function fieldsOf(source: string): string[] {
  const schema = adminSchema();
  const info = new TypeInfo(schema);
  const seen: string[] = [];
  visit(parse(source), visitWithTypeInfo(info, {
    [Kind.FIELD]: () => {
      const parent = info.getParentType();
      const def = info.getFieldDef();
      if (parent && def) seen.push(`${getNamedType(parent).name}.${def.name}`);
    },
  }));
  return seen;
}

function declaredScopes(): string[] {
  const toml = parseToml(readFileSync(path.join(REPO, "shopify.app.toml"), "utf8")) as { access_scopes?: { scopes?: string } };
  return (toml.access_scopes?.scopes ?? "").split(",").map((s) => s.trim()).filter(Boolean);
}

/** Scopes used outside Admin GraphQL documents, with what uses them. */
const NON_DOCUMENT_SCOPES: Record<string, string> = {
  write_app_proxy: "the [app_proxy] block of shopify.app.toml",
  read_all_orders: "widens read_orders past the last 60 days of orders for the history sync",
};

describe("the app's declared scopes and protected customer data", () => {
  const docs = appDocuments();
  const scopes = declaredScopes();
  const used = docs.flatMap((d) => fieldsOf(d.source).map((field) => ({ file: d.file, field })));

  it("GIVEN the app's Admin documents WHEN read THEN there are some (the walk below is not vacuous)", () => {
    expect(docs.length).toBeGreaterThanOrEqual(8);
    expect(used.some((u) => u.field === "Customer.orders")).toBe(true);
  });

  it("GIVEN every Admin document the app sends WHEN its fields are walked THEN the toml's scopes cover each one", () => {
    const uncovered = used.filter((u) => [REQUIRED_SCOPE[u.field], ALSO_REQUIRED[u.field]].some((s) => s && !hasScope(scopes, s)));
    expect(uncovered).toEqual([]);
  });

  it("GIVEN the toml's scopes WHEN compared with what the documents need THEN none is requested without a use", () => {
    const needed = new Set(used.flatMap((u) => [REQUIRED_SCOPE[u.field], ALSO_REQUIRED[u.field]]).filter(Boolean));
    const unused = scopes.filter((s) => !NON_DOCUMENT_SCOPES[s] && ![...needed].some((n) => hasScope([s], n!)));
    expect(unused).toEqual([]);
    if (scopes.includes("read_all_orders")) expect(scopes).toContain("read_orders");
  });

  it("GIVEN the declared protected-data level WHEN the documents are walked THEN none reads a field beyond it", () => {
    expect(DECLARED_PROTECTED_DATA).toEqual({ level: 1, fields: [] });
    const beyond = used.filter(
      (u) => (PROTECTED_OBJECTS[u.field] && DECLARED_PROTECTED_DATA.level < 1) || (PROTECTED_FIELDS[u.field] && !DECLARED_PROTECTED_DATA.fields.includes(PROTECTED_FIELDS[u.field]!)),
    );
    expect(beyond).toEqual([]);
  });

  it("GIVEN the toml's access_scopes comment WHEN read THEN it states the same protected-data level as the docs", () => {
    const toml = readFileSync(path.join(REPO, "shopify.app.toml"), "utf8");
    const block = toml.slice(toml.indexOf("[access_scopes]"), toml.indexOf("[auth]"));
    expect(block).toMatch(/Protected customer data[^\n]*LEVEL 1, no protected fields/);
    expect(readFileSync(path.join(REPO, "docs", "profiles.md"), "utf8")).toMatch(/protected customer data \*\*level 1\*\*/i);
    expect(readFileSync(path.join(REPO, "README.md"), "utf8")).toMatch(/protected customer data[^\n]*\*\*level 1\*\*/i);
    for (const s of scopes) expect(block, `a why-comment for ${s}`).toMatch(new RegExp(`^# ${s}\\s+— `, "m"));
  });
});

// ---------------------------------------------------------------------------------------- protected customer data

describe("protected customer data", () => {
  it("GIVEN the declared level 1 WHEN a customer's email and id are queried THEN email is null with Shopify's not-approved error and id resolves", async () => {
    const token = await tokenFor(store.env.scopes);
    const id = `gid://shopify/Customer/${store.state.customers[0]!.id}`;
    const { status, body } = await gql(token, `query($id: ID!) { customer(id: $id) { id email } }`, { id });
    expect(status).toBe(200);
    expect(body.data.customer).toEqual({ id, email: null });
    expect(body.errors).toEqual([
      expect.objectContaining({
        message: "This app is not approved to access the Customer object. See https://shopify.dev/docs/apps/launch/protected-customer-data for more details.",
        path: ["customer", "email"],
      }),
    ]);
  });

  it("GIVEN level 2 with the email field approved WHEN email is queried THEN it is returned and the phone stays withheld", async () => {
    const token = await tokenFor(store.env.scopes);
    const saved = store.env.pcd;
    store.env.pcd = { level: 2, fields: ["email"] };
    // (phone is nullable, so only that field is withheld)
    try {
      const c = store.state.customers[0]!;
      const { body } = await gql(token, `query($id: ID!) { customer(id: $id) { email phone } }`, { id: `gid://shopify/Customer/${c.id}` });
      expect(body.data.customer).toEqual({ email: c.email, phone: null });
      expect(body.errors.map((e: { path: string[] }) => e.path)).toEqual([["customer", "phone"]]);
    } finally {
      store.env.pcd = saved;
    }
  });

  it("GIVEN no approved protected-data access WHEN customers or orders are queried THEN both are null with the not-approved error", async () => {
    const token = await tokenFor(store.env.scopes);
    const saved = store.env.pcd;
    store.env.pcd = { level: 0, fields: [] };
    try {
      for (const [field, object] of [["customers", "Customer"], ["orders", "Order"]]) {
        const { status, body } = await gql(token, `{ ${field}(first: 1) { nodes { id } } }`);
        expect(status).toBe(200);
        expect(body.data).toBeNull();
        expect(body.errors).toEqual([
          expect.objectContaining({ message: `This app is not approved to access the ${object} object. See https://shopify.dev/docs/apps/launch/protected-customer-data for more details.`, path: [field] }),
        ]);
      }
    } finally {
      store.env.pcd = saved;
    }
  });

  it("GIVEN no approved protected-data access WHEN an order webhook and app/uninstalled fire THEN only app/uninstalled is delivered", async () => {
    const saved = store.env.pcd;
    store.env.pcd = { level: 0, fields: [] };
    received.length = 0;
    try {
      await store.deliverWebhook("orders/create", { id: 1 });
      await store.deliverWebhook("refunds/create", { id: 2 });
      await store.deliverWebhook("app/uninstalled", { id: 3 });
      expect(received).toEqual(["app/uninstalled"]);
    } finally {
      store.env.pcd = saved;
    }
    await store.deliverWebhook("orders/create", { id: 4 });
    expect(received).toEqual(["app/uninstalled", "orders/create"]);
  });
});

// ---------------------------------------------------------------------------------------- app proxy scope

describe("app proxy scope", () => {
  let app: Server;
  let appUrl = "";
  const hits: string[] = [];
  const withScopes = (scopes: string) => {
    const dir = mkdtempSync(path.join(tmpdir(), "scopes-toml-"));
    const file = path.join(dir, "shopify.app.toml");
    writeFileSync(file, `handle = "recovery-plays"\n[access_scopes]\nscopes = "${scopes}"\n[app_proxy]\nurl = "https://example.com/apps/proxy"\nsubpath = "recovery-plays"\nprefix = "apps"\n`);
    return file;
  };

  beforeAll(async () => {
    app = createServer((req, res) => {
      hits.push(req.url ?? "");
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
    await new Promise<void>((r) => app.listen(0, "127.0.0.1", r));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => app.close(() => r())));

  async function proxyStatus(scopes: string): Promise<number> {
    const sf: TestStorefront = await startStorefront({ appUrl, options: { appTomlPath: withScopes(scopes) } });
    try {
      return (await fetch(`${sf.url}/apps/recovery-plays/profile`)).status;
    } finally {
      await sf.close();
    }
  }

  it("GIVEN an app without write_app_proxy WHEN a shopper requests its proxy path THEN the shop answers 404 and nothing reaches the app", async () => {
    hits.length = 0;
    expect(await proxyStatus("read_customers,read_orders")).toBe(404);
    expect(hits).toEqual([]);
  });

  it("GIVEN the same app with write_app_proxy WHEN the proxy path is requested THEN it is forwarded", async () => {
    hits.length = 0;
    expect(await proxyStatus("read_customers,write_app_proxy")).toBe(200);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatch(/^\/apps\/proxy\/profile\?/);
  });

  it("GIVEN the app's own shopify.app.toml WHEN its scopes are read THEN they include write_app_proxy for its [app_proxy]", () => {
    expect(declaredScopes()).toContain("write_app_proxy");
  });
});
