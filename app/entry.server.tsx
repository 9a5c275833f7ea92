import { PassThrough } from "node:stream";
import type { EntryContext } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";
import { addDocumentResponseHeaders } from "./shopify.server";
import { startScheduler } from "./models/scheduler.server";

startScheduler();

export const streamTimeout = 5000;

/**
 * Demo/test only: the local dev store's admin page frames the app like admin.shopify.com does, so its origin
 * joins the frame-ancestors the library sets. Unset in production (only Shopify's admin may frame the app).
 */
function allowLocalAdminFrame(headers: Headers) {
  const origin = process.env.SHOPIFY_ADMIN_API_ORIGIN;
  const csp = headers.get("Content-Security-Policy");
  if (!origin || !csp) return;
  headers.set("Content-Security-Policy", csp.replace("frame-ancestors", `frame-ancestors ${new URL(origin).origin}`));
}

export default async function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
) {
  addDocumentResponseHeaders(request, responseHeaders);
  allowLocalAdminFrame(responseHeaders);
  const userAgent = request.headers.get("user-agent");
  const callbackName = isbot(userAgent ?? "") ? "onAllReady" : "onShellReady";

  return new Promise((resolve, reject) => {
    const { pipe, abort } = renderToPipeableStream(<RemixServer context={remixContext} url={request.url} />, {
      [callbackName]: () => {
        const body = new PassThrough();
        const stream = createReadableStreamFromReadable(body);
        responseHeaders.set("Content-Type", "text/html");
        resolve(new Response(stream, { headers: responseHeaders, status: responseStatusCode }));
        pipe(body);
      },
      onShellError(error) {
        reject(error);
      },
      onError(error) {
        responseStatusCode = 500;
        console.error(error instanceof Error ? error.message : error);
      },
    });
    setTimeout(abort, streamTimeout + 1000);
  });
}
