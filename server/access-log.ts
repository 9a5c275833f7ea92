// The request log (morgan's "tiny" line) without query values. Query strings carry secrets and customer data on
// the app's own paths: the app proxy's `signature` and `logged_in_customer_id`, the admin's `id_token`, `hmac`,
// `session` and `host`, the customer search's `q` (an email), checkout tokens. Logs are kept and shipped far more
// widely than the database, so only the path and the names of the parameters are written.
import type { IncomingMessage } from "node:http";
import morgan from "morgan";

/** Parameter names are kept when they look like names; anything else (a value smuggled as a key) is masked. */
const NAME = /^[A-Za-z0-9_.[\]-]{1,40}$/;

/** `/path?a=1&b=2` → `/path?a=…&b=…` (a fragment, never sent by browsers, is dropped too). */
export function redactUrl(url: string): string {
  const cut = url.search(/[?#]/);
  if (cut < 0) return url;
  const path = url.slice(0, cut);
  if (url[cut] === "#") return path;
  const query = url.slice(cut + 1).split("#")[0];
  const names = query
    .split("&")
    .filter(Boolean)
    .map((pair) => {
      let name = pair.split("=")[0];
      try {
        name = decodeURIComponent(name.replace(/\+/g, " "));
      } catch {
        // a malformed escape is masked below
      }
      return `${NAME.test(name) ? name : "?"}=…`;
    });
  return names.length ? `${path}?${names.join("&")}` : path;
}

morgan.token("redacted-url", (req: IncomingMessage & { originalUrl?: string }) => redactUrl(req.originalUrl ?? req.url ?? ""));

/** morgan "tiny" with the query values redacted. */
export const accessLog = () => morgan(":method :redacted-url :status :res[content-length] - :response-time ms");
