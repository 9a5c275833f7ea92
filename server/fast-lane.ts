// The fast lane: the storefront and checkout edge endpoints (app-proxy profile and events, checkout profile and
// events) are called on every page view of every shop, thousands of times a second. Through the general stack
// (Express, serve-static's filesystem probe of public/, the request log, Remix's route matching over every
// route) each request costs ≈ 0.65 ms of CPU, of which the route's own work is ≈ 0.08 ms (CPU profile of
// `npm run bench:proxy`, docs/performance.md). This lane hands those few exact paths straight to the same
// route modules' loader/action — the code, guards and validation stay in app/routes — with Remix's resource
// route semantics: GET → loader, other methods → action, a thrown Response is the response, any other throw is
// a 500 without details. HEAD and a method the module has no handler for go to Remix (which answers 405).
import type { IncomingMessage, ServerResponse } from "node:http";
import { createReadableStreamFromReadable } from "@remix-run/node";

type Handler = (args: { request: Request; params: Record<string, string>; context: Record<string, unknown> }) => unknown;
export interface RouteModule {
  loader?: Handler;
  action?: Handler;
}
/** The subset of a Remix server build the lane reads. */
export interface BuildRoutes {
  routes: Record<string, { id: string; parentId?: string; path?: string; module: RouteModule }>;
}

/** The edge routes that take the lane (ids as in the Remix build). */
export const FAST_ROUTE_IDS = ["routes/apps.proxy.profile", "routes/apps.proxy.events", "routes/api.checkout.profile", "routes/api.checkout.events"];

/** Exact URL path → route module for the lane's routes; only static paths directly under the root route. */
export function fastRoutes(build: BuildRoutes, ids = FAST_ROUTE_IDS): Map<string, RouteModule> {
  const out = new Map<string, RouteModule>();
  for (const id of ids) {
    const r = build.routes[id];
    if (!r) throw new Error(`fast lane: route ${id} is not in the build`);
    if (r.parentId !== "root" || !r.path || /[:*]/.test(r.path)) throw new Error(`fast lane: route ${id} needs a static path under root`);
    out.set(`/${r.path.replace(/^\/+/, "")}`, r.module);
  }
  return out;
}

export type Lane = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * A request listener front: returns false (and touches nothing) when the request is not the lane's, so the
 * caller passes it on to the general app; otherwise it answers the request and returns true.
 */
export function createFastLane(routes: Map<string, RouteModule>, onError: (err: unknown) => void = (e) => console.error(e)): Lane {
  return (req, res) => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const mod = routes.get(q === -1 ? url : url.slice(0, q));
    if (!mod || req.method === "HEAD") return false;
    const handler = req.method === "GET" ? mod.loader : mod.action;
    if (!handler) return false;
    void answer(handler, req, res, onError);
    return true;
  };
}

function toRequest(req: IncomingMessage, res: ServerResponse): Request {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i], raw[i + 1]);
  const controller = new AbortController();
  res.on("close", () => controller.abort());
  const init: RequestInit & { duplex?: "half" } = { method: req.method, headers, signal: controller.signal };
  if (req.method !== "GET" && req.method !== "HEAD") {
    init.body = createReadableStreamFromReadable(req);
    init.duplex = "half";
  }
  // Same URL Remix's Express adapter builds: plain http behind the platform's TLS, the client's Host header.
  return new Request(`http://${req.headers.host ?? "localhost"}${req.url ?? "/"}`, init);
}

async function answer(handler: Handler, req: IncomingMessage, res: ServerResponse, onError: (err: unknown) => void): Promise<void> {
  let response: Response;
  try {
    const out = await handler({ request: toRequest(req, res), params: {}, context: {} });
    if (!(out instanceof Response)) throw new Error("fast lane: the route returned something other than a Response");
    response = out;
  } catch (thrown) {
    if (thrown instanceof Response) response = thrown;
    else {
      onError(thrown);
      response = new Response("Unexpected Server Error", { status: 500, headers: { "content-type": "text/plain; charset=utf-8" } });
    }
  }
  try {
    const body = response.body ? Buffer.from(await response.arrayBuffer()) : null;
    if (res.destroyed) return;
    res.statusCode = response.status;
    for (const [name, value] of response.headers) if (name !== "set-cookie") res.setHeader(name, value);
    const cookies = response.headers.getSetCookie?.() ?? [];
    if (cookies.length) res.setHeader("set-cookie", cookies);
    res.end(body ?? undefined);
  } catch (err) {
    onError(err);
    if (!res.headersSent) res.statusCode = 500;
    res.end();
  }
}
