// The embedded admin document as the server renders it: Remix's real request handler over the real root and
// app layout modules (session-token authenticated), so what is checked is the HTML Shopify's admin frame loads.
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { createRequestHandler, type ServerBuild } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { beforeAll, describe, expect, it } from "vitest";
import * as root from "./root";
import * as appLayout from "./routes/app";
import * as landing from "./routes/_index";

let helpers: typeof import("../tests/helpers/shopify");

function build(): ServerBuild {
  const route = (id: string, module: unknown, extra: { parentId?: string; path?: string; index?: boolean }) => ({ id, module, ...extra });
  const routes = {
    root: route("root", root, { path: "" }),
    "routes/app": route("routes/app", appLayout, { parentId: "root", path: "app" }),
    "routes/_index": route("routes/_index", landing, { parentId: "root", index: true }),
  };
  const assetRoutes = Object.fromEntries(
    Object.values(routes).map((r) => [
      r.id,
      { id: r.id, parentId: r.parentId, path: r.path, index: r.index, module: `/build/${r.id}.js`, hasLoader: "loader" in (r.module as object), hasAction: "action" in (r.module as object), hasClientLoader: false, hasClientAction: false, hasErrorBoundary: "ErrorBoundary" in (r.module as object) },
    ]),
  );
  return {
    mode: "production",
    entry: {
      module: {
        default: (request, status, headers, context) => {
          const html = "<!DOCTYPE html>" + renderToString(createElement(RemixServer, { context, url: request.url }));
          headers.set("Content-Type", "text/html");
          return new Response(html, { status, headers });
        },
      },
    },
    routes: routes as unknown as ServerBuild["routes"],
    assets: { entry: { module: "/build/entry.client.js", imports: [] }, routes: assetRoutes, url: "/build/manifest.js", version: "test" } as unknown as ServerBuild["assets"],
    publicPath: "/build/",
    assetsBuildDirectory: "build/client",
    future: {} as ServerBuild["future"],
    isSpaMode: false,
  };
}

/** The element children of <head>, in order, as `tag attr=value …` strings. */
function headChildren(html: string): string[] {
  const head = /<head>([\s\S]*?)<\/head>/.exec(html)?.[1] ?? "";
  return [...head.matchAll(/<(meta|script|link|title)\b([^>]*)>/g)].map((m) => `${m[1]}${m[2].replace(/\s+/g, " ").replace(/\/$/, "").trimEnd()}`);
}

beforeAll(async () => {
  helpers = await import("../tests/helpers/shopify");
  await helpers.installShop();
});

describe("embedded document <head>", () => {
  it("GIVEN an embedded admin page WHEN the server renders it THEN <head> starts with the shopify-api-key meta, then the App Bridge script (synchronous), and there is no second App Bridge script", async () => {
    const handler = createRequestHandler(build());
    const res = await handler(await helpers.adminRequest("/app?embedded=1"));
    expect(res.status).toBe(200);
    const html = await res.text();
    const head = headChildren(html);
    expect(head[0]).toBe(`meta name="shopify-api-key" content="${process.env.SHOPIFY_API_KEY}"`);
    expect(head[1]).toBe(`script src="${process.env.APP_BRIDGE_URL || "https://cdn.shopify.com/shopifycloud/app-bridge.js"}"`);
    expect(html.match(/<script[^>]*app-bridge\.js/g)).toHaveLength(1);
    // Nothing that runs before it: the first <script> of the whole document is App Bridge's.
    expect(/<script\b[^>]*>/.exec(html)![0]).toContain("app-bridge.js");
  });

  it("GIVEN the public landing page (not embedded) WHEN rendered THEN it loads no App Bridge", async () => {
    const handler = createRequestHandler(build());
    const html = await (await handler(new Request("https://app.example/"))).text();
    expect(html).not.toContain("app-bridge.js");
    expect(html).not.toContain("shopify-api-key");
  });
});
