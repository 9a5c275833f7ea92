import { createServer, type Server } from "node:http";
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevStore, type DevStore } from "../server";
import { signSessionToken } from "./auth";
import { HISTORY_BULK_QUERY, writeHistoryJsonl } from "../seed/jsonl";
import { readFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const API_KEY = "test-api-key";
const API_SECRET = "test-api-secret";
const NOW = Date.parse("2026-07-01T12:00:00Z");
let store: DevStore;
let receiver: Server;
const received: { topic: string; hmac: string; body: string; headers: Record<string, unknown> }[] = [];
let token = "";

async function exchange(subject: string, expiring = "1") {
  return fetch(`${store.url}/admin/oauth/access_token`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-shopify-shop-domain": store.shopDomain },
    body: JSON.stringify({
      client_id: API_KEY,
      client_secret: API_SECRET,
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: subject,
      subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
      requested_token_type: "urn:shopify:params:oauth:token-type:offline-access-token",
      expiring,
    }),
  });
}

async function gql(query: string, variables: Record<string, unknown> = {}, version = "2026-07") {
  const res = await fetch(`${store.url}/admin/api/${version}/graphql.json`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-shopify-access-token": token, "x-shopify-shop-domain": store.shopDomain },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      received.push({ topic: String(req.headers["x-shopify-topic"]), hmac: String(req.headers["x-shopify-hmac-sha256"]), body: Buffer.concat(chunks).toString("utf8"), headers: req.headers });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  const addr = receiver.address() as { port: number };
  store = await startDevStore({ port: 0, appUrl: `http://127.0.0.1:${addr.port}`, apiKey: API_KEY, apiSecret: API_SECRET, seed: 7, size: "test", now: NOW, quiet: true });
  const res = await exchange(store.sessionToken());
  token = ((await res.json()) as { access_token: string }).access_token;
});

afterAll(async () => {
  await store.stop();
  await new Promise<void>((r) => receiver.close(() => r()));
});

describe("token exchange", () => {
  it("GIVEN a session token signed with the app secret WHEN exchanged for an expiring offline token THEN Shopify's response shape comes back", async () => {
    const res = await exchange(store.sessionToken());
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(200);
    expect(body).toMatchObject({ access_token: expect.stringMatching(/^shpat_/), expires_in: 3600, refresh_token: expect.any(String), refresh_token_expires_in: 90 * 86400 });
    expect(String(body.scope)).toContain("read_orders");
  });

  it("GIVEN a JWT signed with another secret WHEN exchanged THEN it is rejected", async () => {
    const forged = signSessionToken(store.shopDomain, API_KEY, "not-the-secret");
    const res = await exchange(forged);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid_subject_token" });
  });

  it("GIVEN a refresh token WHEN the refresh_token grant is used THEN a new working access token is issued", async () => {
    const first = (await (await exchange(store.sessionToken())).json()) as { refresh_token: string };
    const res = await fetch(`${store.url}/admin/oauth/access_token`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-shopify-shop-domain": store.shopDomain },
      body: JSON.stringify({ client_id: API_KEY, client_secret: API_SECRET, grant_type: "refresh_token", refresh_token: first.refresh_token }),
    });
    const body = (await res.json()) as { access_token: string };
    expect(res.status).toBe(200);
    expect(store.tokens.check(body.access_token, store.shopDomain)).toBe(true);
  });

  it("GIVEN an unknown access token WHEN calling the Admin API THEN 401 like Shopify", async () => {
    const res = await fetch(`${store.url}/admin/api/2026-07/graphql.json`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-shopify-access-token": "shpat_nope" },
      body: JSON.stringify({ query: "{ shop { name } }" }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
  });
});

describe("schema validation", () => {
  it("GIVEN a field that does not exist in 2026-07 WHEN queried THEN Shopify-shaped undefinedField errors and no data", async () => {
    const { status, body } = await gql("query Probe { shop { name notAField } }");
    expect(status).toBe(200);
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      {
        message: "Field 'notAField' doesn't exist on type 'Shop'",
        locations: [{ line: 1, column: 27 }],
        path: ["query Probe", "shop", "notAField"],
        extensions: { code: "undefinedField", typeName: "Shop", fieldName: "notAField" },
      },
    ]);
  });

  it("GIVEN a valid query WHEN executed THEN data comes from the seed and cost is reported", async () => {
    const { body } = await gql(`{ shop { name myshopifyDomain currencyCode plan { displayName shopifyPlus } } customers(first: 5) { edges { node { id numberOfOrders amountSpent { amount currencyCode } statistics { rfmGroup } } } pageInfo { hasNextPage endCursor } } }`);
    expect(body.errors).toBeUndefined();
    expect(body.data.shop.myshopifyDomain).toBe(store.shopDomain);
    expect(body.data.customers.edges).toHaveLength(5);
    expect(body.data.customers.pageInfo.hasNextPage).toBe(true);
    // shop 1 + plan 1 + connection 2 + 5 × (node 1 + amountSpent 1 + statistics 1)
    expect(body.extensions.cost.requestedQueryCost).toBe(1 + 1 + 2 + 5 * 3);
    expect(body.extensions.cost.throttleStatus).toMatchObject({ maximumAvailable: 2000, restoreRate: 100 });
  });

  it("GIVEN an email filter WHEN searching customers THEN only that customer matches", async () => {
    const email = store.state.customers[3]!.email;
    // Only the id is selected: reading `email` itself needs level-2 protected customer data, which the app does not have.
    const { body } = await gql(`query($q: String) { customers(first: 10, query: $q) { nodes { id } } }`, { q: `email:${email}` });
    expect(body.data.customers.nodes).toEqual([{ id: `gid://shopify/Customer/${store.state.customers[3]!.id}` }]);
  });

  it("GIVEN a connection without first or last WHEN queried THEN Shopify's pagination error", async () => {
    const { body } = await gql(`{ orders { nodes { id } } }`);
    expect(body.errors[0].message).toBe("you must provide one of first or last");
  });
});

describe("throttling", () => {
  it("GIVEN a burst above the bucket WHEN requests keep coming THEN THROTTLED in Shopify's shape, and it recovers after restore", async () => {
    const q = `{ orders(first: 250) { nodes { id lineItems(first: 2) { nodes { id } } } } }`; // requested cost 2 + 250 × (1 + 2 + 2) = 1252 > 1000 → too big
    const small = `{ orders(first: 60) { nodes { id lineItems(first: 2) { nodes { id } } } } }`; // 2 + 60 × 5 = 302
    const big = await gql(q);
    expect(big.body.errors[0].extensions.code).toBe("MAX_COST_EXCEEDED");
    let throttled: any = null;
    for (let i = 0; i < 20 && !throttled; i++) {
      const { body } = await gql(small);
      if (body.errors?.[0]?.extensions?.code === "THROTTLED") throttled = body;
    }
    expect(throttled).not.toBeNull();
    expect(throttled).toEqual({
      errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }],
      extensions: { cost: { requestedQueryCost: 302, actualQueryCost: null, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: expect.any(Number), restoreRate: 100 } } },
    });
    expect(throttled.extensions.cost.throttleStatus.currentlyAvailable).toBeLessThan(302);
    const wait = ((302 - throttled.extensions.cost.throttleStatus.currentlyAvailable) / 100) * 1000 + 100;
    await new Promise((r) => setTimeout(r, wait));
    const after = await gql(small);
    expect(after.body.errors).toBeUndefined();
    expect(after.body.extensions.cost.actualQueryCost).toBeLessThanOrEqual(302);
    // Leave a full bucket for the next tests: on a slow run the drained bucket would throttle them.
    await fetch(`${store.url}/__devstore/reset`, { method: "POST" });
  });
});

describe("metafields and discounts", () => {
  it("GIVEN metafieldsSet on the app installation WHEN reading currentAppInstallation.metafield THEN the value is there under the app-reserved namespace", async () => {
    const inst = await gql(`{ currentAppInstallation { id } }`);
    const ownerId = inst.body.data.currentAppInstallation.id;
    const set = await gql(
      `mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { metafields { id namespace key } userErrors { field message code } } }`,
      { m: [{ ownerId, namespace: "$app:recovery_plays", key: "config", type: "json", value: '{"v":1}' }] },
    );
    expect(set.body.data.metafieldsSet.userErrors).toEqual([]);
    expect(set.body.data.metafieldsSet.metafields[0].namespace).toMatch(/^app--\d+--recovery_plays$/);
    const read = await gql(`{ currentAppInstallation { metafield(namespace: "$app:recovery_plays", key: "config") { value jsonValue type } } }`);
    expect(read.body.data.currentAppInstallation.metafield).toEqual({ value: '{"v":1}', jsonValue: { v: 1 }, type: "json" });
  });

  it("GIVEN invalid JSON WHEN metafieldsSet THEN a userError with the element path and nothing is saved", async () => {
    const inst = await gql(`{ currentAppInstallation { id } }`);
    const before = store.state.metafields.length;
    const set = await gql(`mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) { metafields { id } userErrors { field code } } }`, {
      m: [
        { ownerId: inst.body.data.currentAppInstallation.id, namespace: "$app:recovery_plays", key: "other", type: "json", value: "{}" },
        { ownerId: inst.body.data.currentAppInstallation.id, namespace: "$app:recovery_plays", key: "broken", type: "json", value: "{nope" },
      ],
    });
    expect(set.body.data.metafieldsSet.userErrors).toEqual([{ field: ["metafields", "1", "value"], code: "INVALID_VALUE" }]);
    expect(store.state.metafields.length).toBe(before);
  });

  it("GIVEN a percentage above 1 WHEN creating an automatic discount THEN a userError and no discount", async () => {
    const { body } = await gql(
      `mutation($d: DiscountAutomaticBasicInput!) { discountAutomaticBasicCreate(automaticBasicDiscount: $d) { automaticDiscountNode { id } userErrors { field message code } } }`,
      { d: { title: "Bundle", startsAt: "2026-01-01T00:00:00Z", customerGets: { value: { percentage: 15 }, items: { all: true } } } },
    );
    expect(body.data.discountAutomaticBasicCreate.automaticDiscountNode).toBeNull();
    expect(body.data.discountAutomaticBasicCreate.userErrors[0]).toMatchObject({ field: ["automaticBasicDiscount", "customerGets", "value", "percentage"], code: "VALUE_OUTSIDE_RANGE" });
  });

  it("GIVEN a valid discount WHEN created THEN it can be read back through automaticDiscountNode", async () => {
    const { body } = await gql(
      `mutation($d: DiscountAutomaticBasicInput!) { discountAutomaticBasicCreate(automaticBasicDiscount: $d) { automaticDiscountNode { id } userErrors { field message } } }`,
      { d: { title: "Bundle & Save 10%", startsAt: "2026-01-01T00:00:00Z", customerGets: { value: { percentage: 0.1 }, items: { all: true } }, minimumRequirement: { quantity: { greaterThanOrEqualToQuantity: "2" } } } },
    );
    const id = body.data.discountAutomaticBasicCreate.automaticDiscountNode.id;
    const read = await gql(`query($id: ID!) { automaticDiscountNode(id: $id) { automaticDiscount { ... on DiscountAutomaticBasic { title status customerGets { value { ... on DiscountPercentage { percentage } } } minimumRequirement { ... on DiscountMinimumQuantity { greaterThanOrEqualToQuantity } } } } } }`, { id });
    expect(read.body.data.automaticDiscountNode.automaticDiscount).toEqual({ title: "Bundle & Save 10%", status: "ACTIVE", customerGets: { value: { percentage: 0.1 } }, minimumRequirement: { greaterThanOrEqualToQuantity: "2" } });
  });
});

describe("bulk operations", () => {
  it("GIVEN more than two levels of nested connections WHEN submitted THEN a userError names the rule", async () => {
    const { body } = await gql(`mutation($q: String!) { bulkOperationRunQuery(query: $q, groupObjects: false) { bulkOperation { id } userErrors { field message code } } }`, {
      q: `{ customers { edges { node { id orders { edges { node { id lineItems { edges { node { id } } } } } } } } } }`,
    });
    expect(body.data.bulkOperationRunQuery.userErrors[0]).toMatchObject({ field: ["query"], code: "INVALID" });
    expect(body.data.bulkOperationRunQuery.userErrors[0].message).toMatch(/nesting depth/);
  });

  it("GIVEN the history query WHEN run in bulk THEN it completes, the JSONL has __parentId lines equal to the seed writer's, and bulk_operations/finish arrives signed", async () => {
    const run = await gql(`mutation($q: String!) { bulkOperationRunQuery(query: $q, groupObjects: false) { bulkOperation { id status } userErrors { field message } } }`, { q: HISTORY_BULK_QUERY });
    expect(run.body.data.bulkOperationRunQuery.userErrors).toEqual([]);
    const id = run.body.data.bulkOperationRunQuery.bulkOperation.id;
    let op: any;
    for (let i = 0; i < 100; i++) {
      op = (await gql(`query($id: ID!) { node(id: $id) { ... on BulkOperation { status objectCount rootObjectCount url errorCode } } }`, { id })).body.data.node;
      if (op.status === "COMPLETED") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(op.status).toBe("COMPLETED");
    const text = await (await fetch(op.url)).text();
    const lines = text.trim().split("\n").map((l) => JSON.parse(l));
    expect(String(lines.length)).toBe(op.objectCount);
    expect(String(lines.filter((l) => !l.__parentId).length)).toBe(op.rootObjectCount);
    expect(lines.some((l) => l.__parentId?.startsWith("gid://shopify/Customer/"))).toBe(true);

    const dir = mkdtempSync(path.join(tmpdir(), "jsonl-"));
    const file = path.join(dir, "h.jsonl");
    // Same seed, size and "now" as the store: the direct writer must produce identical lines.
    await writeHistoryJsonl({ seed: 7, customers: 40, orders: 130, products: 12, now: NOW }, file);
    expect(readFileSync(file, "utf8")).toBe(text);

    let hook;
    for (let i = 0; i < 50 && !hook; i++) {
      hook = received.find((r) => r.topic === "bulk_operations/finish");
      if (!hook) await new Promise((r) => setTimeout(r, 50));
    }
    expect(hook).toBeDefined();
    expect(hook!.hmac).toBe(createHmac("sha256", API_SECRET).update(hook!.body).digest("base64"));
    expect(JSON.parse(hook!.body)).toMatchObject({ admin_graphql_api_id: id, status: "completed", error_code: null, type: "query" });
    expect(hook!.headers["x-shopify-shop-domain"]).toBe(store.shopDomain);
  });
});

describe("code discounts", () => {
  const CREATE = `mutation($d: DiscountCodeBasicInput!) { discountCodeBasicCreate(basicCodeDiscount: $d) { codeDiscountNode { id } userErrors { field message code } } }`;
  const UPDATE = `mutation($id: ID!, $d: DiscountCodeBasicInput!) { discountCodeBasicUpdate(id: $id, basicCodeDiscount: $d) { codeDiscountNode { id } userErrors { field message code } } }`;
  const READ = `query($id: ID!) { codeDiscountNode(id: $id) { id codeDiscount { __typename ... on DiscountCodeBasic {
    title status startsAt endsAt usageLimit appliesOncePerCustomer tags
    codes(first: 5) { nodes { code } }
    combinesWith { orderDiscounts productDiscounts shippingDiscounts }
    customerGets { value { ... on DiscountPercentage { percentage } } items { ... on AllDiscountItems { allItems } } }
    minimumRequirement { ... on DiscountMinimumQuantity { greaterThanOrEqualToQuantity } }
    context { ... on DiscountBuyerSelectionAll { all } }
  } } } }`;
  const input = (code: string, extra: Record<string, unknown> = {}) => ({
    title: "Bundle & Save 10%",
    code,
    startsAt: "2026-01-01T00:00:00Z",
    context: { all: "ALL" },
    customerGets: { value: { percentage: 0.1 }, items: { all: true } },
    minimumRequirement: { quantity: { greaterThanOrEqualToQuantity: "2" } },
    combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: false },
    ...extra,
  });
  const create = async (code: string, extra: Record<string, unknown> = {}) => (await gql(CREATE, { d: input(code, extra) })).body.data.discountCodeBasicCreate;

  it("GIVEN a valid basic code discount WHEN created THEN codeDiscountNode reads it back with its code, value and minimum", async () => {
    const made = await create("BUNDLE-READ", { usageLimit: 100, appliesOncePerCustomer: true, tags: ["recovery-plays"] });
    expect(made.userErrors).toEqual([]);
    expect(made.codeDiscountNode.id).toMatch(/^gid:\/\/shopify\/DiscountCodeNode\/\d+$/);
    const read = await gql(READ, { id: made.codeDiscountNode.id });
    expect(read.body.errors).toBeUndefined();
    expect(read.body.data.codeDiscountNode.codeDiscount).toEqual({
      __typename: "DiscountCodeBasic",
      title: "Bundle & Save 10%",
      status: "ACTIVE",
      startsAt: "2026-01-01T00:00:00Z",
      endsAt: null,
      usageLimit: 100,
      appliesOncePerCustomer: true,
      tags: ["recovery-plays"],
      codes: { nodes: [{ code: "BUNDLE-READ" }] },
      combinesWith: { orderDiscounts: false, productDiscounts: false, shippingDiscounts: false },
      customerGets: { value: { percentage: 0.1 }, items: { allItems: true } },
      minimumRequirement: { greaterThanOrEqualToQuantity: "2" },
      context: { all: "ALL" },
    });
    const stored = store.state.discounts.find((d) => made.codeDiscountNode.id.endsWith(`/${d.id}`));
    expect(stored).toMatchObject({ kind: "code_basic", code: "BUNDLE-READ", percentage: 0.1, minimumQuantity: 2 });
  });

  it("GIVEN an existing code WHEN another discount is created with it in another case THEN a TAKEN userError and nothing is stored", async () => {
    await create("BUNDLE-TAKEN");
    const before = store.state.discounts.length;
    const dup = await create("bundle-taken");
    expect(dup.codeDiscountNode).toBeNull();
    expect(dup.userErrors).toEqual([{ field: ["basicCodeDiscount", "code"], message: expect.any(String), code: "TAKEN" }]);
    expect(store.state.discounts.length).toBe(before);
  });

  it("GIVEN a percentage above 1 WHEN creating a code discount THEN a VALUE_OUTSIDE_RANGE userError", async () => {
    const bad = await create("BUNDLE-PCT", { customerGets: { value: { percentage: 10 }, items: { all: true } } });
    expect(bad.codeDiscountNode).toBeNull();
    expect(bad.userErrors[0]).toMatchObject({ field: ["basicCodeDiscount", "customerGets", "value", "percentage"], code: "VALUE_OUTSIDE_RANGE" });
  });

  it("GIVEN no code and no context WHEN creating a code discount THEN both are reported blank", async () => {
    const { context: _c, code: _k, ...rest } = input("x");
    const { body } = await gql(CREATE, { d: rest });
    expect(body.data.discountCodeBasicCreate.userErrors.map((e: { field: string[]; code: string }) => [e.field.join("."), e.code])).toEqual([
      ["basicCodeDiscount.code", "BLANK"],
      ["basicCodeDiscount.context", "BLANK"],
    ]);
  });

  it("GIVEN the deprecated customerSelection all WHEN creating a code discount THEN it is accepted", async () => {
    const { context: _c, ...rest } = input("BUNDLE-LEGACY");
    const { body } = await gql(CREATE, { d: { ...rest, customerSelection: { all: true } } });
    expect(body.data.discountCodeBasicCreate.userErrors).toEqual([]);
  });

  it("GIVEN a code discount WHEN updated with a new percentage and code THEN both change and the start date stays", async () => {
    const made = await create("BUNDLE-UPD");
    const { startsAt: _s, ...update } = input("BUNDLE-UPD2", { customerGets: { value: { percentage: 0.15 }, items: { all: true } } });
    const up = (await gql(UPDATE, { id: made.codeDiscountNode.id, d: update })).body.data.discountCodeBasicUpdate;
    expect(up).toEqual({ codeDiscountNode: { id: made.codeDiscountNode.id }, userErrors: [] });
    const read = (await gql(READ, { id: made.codeDiscountNode.id })).body.data.codeDiscountNode.codeDiscount;
    expect(read.customerGets.value.percentage).toBe(0.15);
    expect(read.codes.nodes).toEqual([{ code: "BUNDLE-UPD2" }]);
    expect(read.startsAt).toBe("2026-01-01T00:00:00Z");
  });

  it("GIVEN an unknown or automatic id WHEN a code discount is updated THEN Discount does not exist", async () => {
    const auto = (await gql(`mutation($d: DiscountAutomaticBasicInput!) { discountAutomaticBasicCreate(automaticBasicDiscount: $d) { automaticDiscountNode { id } } }`, {
      d: { title: "Auto", startsAt: "2026-01-01T00:00:00Z", customerGets: { value: { percentage: 0.1 }, items: { all: true } } },
    })).body.data.discountAutomaticBasicCreate.automaticDiscountNode.id as string;
    for (const id of ["gid://shopify/DiscountCodeNode/999999", auto, auto.replace("DiscountAutomaticNode", "DiscountCodeNode")]) {
      const up = (await gql(UPDATE, { id, d: { title: "x" } })).body.data.discountCodeBasicUpdate;
      expect(up).toEqual({ codeDiscountNode: null, userErrors: [{ field: ["id"], message: "Discount does not exist", code: "INVALID" }] });
    }
  });

  it("GIVEN an active code discount WHEN deactivated and activated THEN its status follows (EXPIRED, then ACTIVE)", async () => {
    const id = (await create("BUNDLE-TOGGLE")).codeDiscountNode.id;
    const status = async () => (await gql(READ, { id })).body.data.codeDiscountNode.codeDiscount.status;
    const off = await gql(`mutation($id: ID!) { discountCodeDeactivate(id: $id) { codeDiscountNode { id } userErrors { field message code } } }`, { id });
    expect(off.body.data.discountCodeDeactivate).toEqual({ codeDiscountNode: { id }, userErrors: [] });
    expect(await status()).toBe("EXPIRED");
    const on = await gql(`mutation($id: ID!) { discountCodeActivate(id: $id) { codeDiscountNode { id } userErrors { field message code } } }`, { id });
    expect(on.body.data.discountCodeActivate).toEqual({ codeDiscountNode: { id }, userErrors: [] });
    expect(await status()).toBe("ACTIVE");
  });

  it("GIVEN a code discount WHEN deleted THEN its id comes back, it can't be read and a second delete fails", async () => {
    const id = (await create("BUNDLE-DEL")).codeDiscountNode.id;
    const DEL = `mutation($id: ID!) { discountCodeDelete(id: $id) { deletedCodeDiscountId userErrors { field message code } } }`;
    expect((await gql(DEL, { id })).body.data.discountCodeDelete).toEqual({ deletedCodeDiscountId: id, userErrors: [] });
    expect((await gql(READ, { id })).body.data.codeDiscountNode).toBeNull();
    expect((await gql(DEL, { id })).body.data.discountCodeDelete.userErrors[0].message).toBe("Discount does not exist");
  });

  it("GIVEN automatic and code discounts WHEN discountNodes and codeDiscountNodes are listed THEN each node has its own type and the code list has codes only", async () => {
    const id = (await create("BUNDLE-LIST")).codeDiscountNode.id;
    const all = await gql(`{ discountNodes(first: 250) { nodes { id discount { __typename ... on DiscountCodeBasic { title } ... on DiscountAutomaticBasic { title } } } } }`);
    expect(all.body.errors).toBeUndefined();
    const nodes = all.body.data.discountNodes.nodes as { id: string; discount: { __typename: string } }[];
    expect(nodes.find((n) => n.id === id)?.discount.__typename).toBe("DiscountCodeBasic");
    expect(nodes.some((n) => n.discount.__typename === "DiscountAutomaticBasic" && n.id.includes("/DiscountAutomaticNode/"))).toBe(true);
    const codes = await gql(`{ codeDiscountNodes(first: 250, query: "method:code") { nodes { id codeDiscount { __typename } } } }`);
    const list = codes.body.data.codeDiscountNodes.nodes as { id: string; codeDiscount: { __typename: string } }[];
    expect(list.map((n) => n.id)).toContain(id);
    expect(list.every((n) => n.id.includes("/DiscountCodeNode/") && n.codeDiscount.__typename === "DiscountCodeBasic")).toBe(true);
    const byCode = await gql(`{ codeDiscountNodeByCode(code: "bundle-list") { id } }`);
    expect(byCode.body.data.codeDiscountNodeByCode).toEqual({ id });
  });
});
