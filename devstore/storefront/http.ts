// Small HTTP helpers for the storefront: bodies (form / JSON, Rails-style nested names like Shopify), cookies,
// and responses.
import type { IncomingMessage, ServerResponse } from "node:http";

export const MAX_BODY_BYTES = 1_000_000;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body?: unknown,
  ) {
    super(message);
  }
}

export async function readRawBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, "Payload Too Large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export type Params = Record<string, unknown>;

/**
 * Parses a form or JSON body into nested params the way Shopify (Rails) does:
 * `customer[email]=a` → { customer: { email: "a" } }, `updates[]=1&updates[]=2` → { updates: ["1","2"] },
 * `items[][id]=1&items[][quantity]=2` → { items: [{ id: "1", quantity: "2" }] }.
 */
export async function readParams(req: IncomingMessage): Promise<Params> {
  if (req.method === "GET" || req.method === "HEAD") return {};
  const raw = (await readRawBody(req)).toString("utf8");
  if (!raw) return {};
  const type = String(req.headers["content-type"] ?? "").toLowerCase();
  // The boundary is case-sensitive (Chromium's is "----WebKitFormBoundary…"): parse it from the raw header.
  if (type.includes("multipart/form-data")) return nestParams(parseMultipart(raw, String(req.headers["content-type"])));
  if (type.includes("application/json") || /^\s*[{[]/.test(raw)) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Params;
      throw new HttpError(400, "Bad Request");
    } catch (error) {
      if (error instanceof HttpError) throw error;
      throw new HttpError(400, "Bad Request");
    }
  }
  return nestParams(new URLSearchParams(raw));
}

/** Text fields of a multipart/form-data body (what FormData sends; file parts are ignored). */
function parseMultipart(raw: string, contentType: string): URLSearchParams {
  const out = new URLSearchParams();
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary) throw new HttpError(400, "Bad Request");
  for (const part of raw.split(`--${boundary}`)) {
    const sep = part.indexOf("\r\n\r\n");
    if (sep < 0) continue;
    const head = part.slice(0, sep);
    const name = /name="([^"]*)"/i.exec(head)?.[1];
    if (!name || /filename=/i.test(head)) continue;
    out.append(name, part.slice(sep + 4).replace(/\r\n$/, ""));
  }
  return out;
}

export function nestParams(search: URLSearchParams): Params {
  const out: Params = {};
  for (const [name, value] of search) assignNested(out, name, value);
  return out;
}

function assignNested(target: Params, name: string, value: string): void {
  const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(name);
  if (!m) {
    target[name] = value;
    return;
  }
  const keys = [m[1], ...[...m[2].matchAll(/\[([^[\]]*)\]/g)].map((k) => k[1])];
  let node: Record<string, unknown> | unknown[] = target;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i];
    const last = i === keys.length - 1;
    const nextIsArray = !last && keys[i + 1] === "";
    if (Array.isArray(node)) {
      if (key !== "") return;
      if (last) {
        node.push(value);
        return;
      }
      // items[][id]: start a new element when the current one already has this key.
      const subKey = keys[i + 1];
      let lastEl = node[node.length - 1] as Record<string, unknown> | undefined;
      if (!lastEl || typeof lastEl !== "object" || subKey in lastEl) {
        lastEl = {};
        node.push(lastEl);
      }
      node = lastEl;
      continue;
    }
    if (last) {
      node[key] = value;
      return;
    }
    const existing = node[key];
    if (existing === undefined || typeof existing !== "object" || existing === null) {
      node[key] = nextIsArray ? [] : {};
    }
    node = node[key] as Record<string, unknown> | unknown[];
  }
}

export function parseCookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  const header = req.headers.cookie;
  if (!header) return out;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    try {
      out[k] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      out[k] = part.slice(i + 1).trim();
    }
  }
  return out;
}

export function cookie(name: string, value: string, opts: { maxAge?: number; httpOnly?: boolean } = {}): string {
  let c = `${name}=${encodeURIComponent(value)}; Path=/; SameSite=Lax`;
  if (opts.maxAge !== undefined) c += `; Max-Age=${opts.maxAge}`;
  if (opts.httpOnly) c += "; HttpOnly";
  return c;
}

export function addCookie(res: ServerResponse, value: string): void {
  const prev = res.getHeader("set-cookie");
  const list = Array.isArray(prev) ? prev : prev ? [String(prev)] : [];
  res.setHeader("set-cookie", [...list, value]);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(text);
}

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  res.end(html);
}

export function redirect(res: ServerResponse, location: string, status = 302): void {
  res.writeHead(status, { location, "cache-control": "no-store" });
  res.end();
}

/** True when the client wants JSON (Ajax API callers send Accept: application/json or hit *.js). */
export function wantsJson(req: IncomingMessage, pathname: string): boolean {
  return pathname.endsWith(".js") || pathname.endsWith(".json") || String(req.headers.accept ?? "").includes("application/json");
}

export function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return str(v[v.length - 1]);
  if (typeof v === "object") return undefined;
  return String(v);
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
