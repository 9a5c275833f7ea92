// The fast lane answers its paths exactly as the route modules do (the real edge routes, over real HTTP), keeps
// Remix's resource-route semantics, and leaves every other request untouched for the general app.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import prisma from "../app/db.server";
import * as proxyEvents from "../app/routes/apps.proxy.events";
import * as proxyProfile from "../app/routes/apps.proxy.profile";
import { resetDatabase } from "../tests/helpers/db";
import { appProxyRequest, installShop, TEST_SHOP } from "../tests/helpers/shopify";
import { signedVisitorFor } from "../tests/helpers/visitors";
import { createFastLane, fastRoutes, type RouteModule } from "./fast-lane";

const errors: unknown[] = [];
const fake: RouteModule = {
  loader: ({ request }) => {
    const u = new URL(request.url);
    if (u.searchParams.has("throw-response")) throw new Response("teapot", { status: 418 });
    if (u.searchParams.has("throw-error")) throw new Error("secret detail");
    if (u.searchParams.has("not-a-response")) return { plain: true };
    const headers = new Headers({ "content-type": "application/json", "x-seen": request.headers.get("x-test") ?? "" });
    headers.append("set-cookie", "a=1");
    headers.append("set-cookie", "b=2");
    return new Response(JSON.stringify({ path: u.pathname, q: u.searchParams.get("q") }), { headers });
  },
  action: async ({ request }) => new Response(`${request.method}:${await request.text()}`, { status: 201 }),
};
const loaderOnly: RouteModule = { loader: () => new Response("only a loader") };

let server: http.Server;
let base = "";
const fallthrough: string[] = [];

beforeAll(async () => {
  const lane = createFastLane(
    new Map<string, RouteModule>([
      ["/fake", fake],
      ["/loader-only", loaderOnly],
      ["/apps/proxy/profile", proxyProfile as RouteModule],
      ["/apps/proxy/events", proxyEvents as RouteModule],
    ]),
    (e) => errors.push(e),
  );
  server = http.createServer((req, res) => {
    if (lane(req, res)) return;
    fallthrough.push(`${req.method} ${req.url}`);
    res.statusCode = 299;
    res.end("general app");
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  errors.length = 0;
  fallthrough.length = 0;
});

describe("fast lane semantics", () => {
  it("GIVEN a GET on a lane path WHEN served THEN the loader's status, headers (both cookies) and body come back", async () => {
    const res = await fetch(`${base}/fake?q=%C3%A9t%C3%A9`, { headers: { "x-test": "yes" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-seen")).toBe("yes");
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(await res.json()).toEqual({ path: "/fake", q: "été" });
    expect(fallthrough).toEqual([]);
  });

  it("GIVEN a POST with a body WHEN served THEN the action reads the streamed body", async () => {
    const res = await fetch(`${base}/fake`, { method: "POST", body: "x".repeat(100_000) });
    expect(res.status).toBe(201);
    expect(await res.text()).toBe(`POST:${"x".repeat(100_000)}`);
  });

  it("GIVEN a thrown Response WHEN served THEN it is the response; GIVEN a thrown error THEN 500 without its details", async () => {
    const thrown = await fetch(`${base}/fake?throw-response`);
    expect([thrown.status, await thrown.text()]).toEqual([418, "teapot"]);
    const crashed = await fetch(`${base}/fake?throw-error`);
    expect(crashed.status).toBe(500);
    expect(await crashed.text()).not.toMatch(/secret/);
    const odd = await fetch(`${base}/fake?not-a-response`);
    expect(odd.status).toBe(500);
    expect(errors).toHaveLength(2);
  });

  it("GIVEN other paths, HEAD, or a method the module has no handler for WHEN requested THEN the general app answers", async () => {
    expect((await fetch(`${base}/fakeish`)).status).toBe(299);
    expect((await fetch(`${base}/fake/more`)).status).toBe(299);
    expect((await fetch(`${base}/fake`, { method: "HEAD" })).status).toBe(299);
    expect((await fetch(`${base}/loader-only`, { method: "POST", body: "x" })).status).toBe(299);
    expect(fallthrough).toEqual(["GET /fakeish", "GET /fake/more", "HEAD /fake", "POST /loader-only"]);
  });
});

describe("fast lane on the real edge routes", () => {
  beforeEach(resetDatabase);
  const over = (r: Request, init: RequestInit = {}) => {
    const u = new URL(r.url);
    return fetch(`${base}${u.pathname}${u.search}`, init);
  };

  it("GIVEN a signed profile request WHEN sent through the lane and to the loader directly THEN the answers are identical", async () => {
    await installShop();
    await prisma.customerProfile.create({ data: { shop: TEST_SHOP, customerId: "77", ordersCount: 6, netSpend: 600, aov: 100, segment: "CHAMPIONS", lastOrderAt: new Date() } });
    // The browser presents the id it was issued, so both answers carry the same visitor.
    const vid = await signedVisitorFor(TEST_SHOP);
    const direct = await proxyProfile.loader({ request: appProxyRequest("/profile", { customerId: "77", extra: { vid } }), params: {}, context: {} });
    const viaLane = await over(appProxyRequest("/profile", { customerId: "77", extra: { vid } }));
    expect(viaLane.status).toBe(direct.status);
    expect(viaLane.headers.get("cache-control")).toBe(direct.headers.get("cache-control"));
    expect(viaLane.headers.get("content-type")).toBe(direct.headers.get("content-type"));
    const body = await viaLane.json();
    expect(body).toEqual(await direct.json());
    expect(body.customer).toMatchObject({ segment: "CHAMPIONS", ordersCount: 6 });
  });

  it("GIVEN a forged profile request WHEN sent through the lane THEN 401", async () => {
    await installShop();
    const res = await over(appProxyRequest("/profile", { customerId: "77", secret: "attacker" }));
    expect(res.status).toBe(401);
  });

  it("GIVEN an event batch WHEN posted through the lane THEN 202 and every acknowledged event is stored", async () => {
    await installShop();
    const vid = await signedVisitorFor(TEST_SHOP);
    const body = JSON.stringify({ visitorId: vid, events: [1, 2, 3].map((i) => ({ type: "page_view", pageType: "product", path: `/products/p${i}`, occurredAt: Date.now() })) });
    const res = await over(appProxyRequest("/events", { method: "POST" }), { method: "POST", body, headers: { "content-type": "text/plain" } });
    expect(res.status).toBe(202);
    const ack = await res.json();
    expect(ack.stored).toBe(3);
    expect(await prisma.event.count({ where: { shop: TEST_SHOP, visitorId: vid } })).toBe(3);
  });

  it("GIVEN a GET on the events path WHEN sent through the lane THEN the route's own 405", async () => {
    await installShop();
    const res = await over(appProxyRequest("/events"));
    expect(res.status).toBe(405);
  });
});

describe("fastRoutes", () => {
  const mod: RouteModule = { loader: () => new Response() };
  it("GIVEN a build WHEN the lane's routes are read THEN static root-level paths map to their modules; anything else is refused", () => {
    const build = {
      routes: {
        "routes/a.b": { id: "routes/a.b", parentId: "root", path: "a/b", module: mod },
        "routes/p.$id": { id: "routes/p.$id", parentId: "root", path: "p/:id", module: mod },
        "routes/nested": { id: "routes/nested", parentId: "routes/app", path: "nested", module: mod },
      },
    };
    expect([...fastRoutes(build, ["routes/a.b"]).keys()]).toEqual(["/a/b"]);
    expect(() => fastRoutes(build, ["routes/p.$id"])).toThrow(/static path/);
    expect(() => fastRoutes(build, ["routes/nested"])).toThrow(/static path/);
    expect(() => fastRoutes(build, ["routes/missing"])).toThrow(/not in the build/);
  });
});
