import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Links, Meta, Outlet, Scripts, ScrollRestoration, useLoaderData } from "@remix-run/react";

/** Shopify's App Bridge; the dev store serves a stand-in (APP_BRIDGE_URL) for demo and e2e runs only. */
const APP_BRIDGE_CDN = "https://cdn.shopify.com/shopifycloud/app-bridge.js";
/** The embedded admin documents (routes/app.*); the landing and login pages are not framed by the admin. */
const EMBEDDED_PATH = /^\/app(\/|$)/;

export const loader = ({ request }: LoaderFunctionArgs) => {
  const embedded = EMBEDDED_PATH.test(new URL(request.url).pathname);
  return json({
    appBridge: embedded ? { apiKey: process.env.SHOPIFY_API_KEY || "", src: process.env.APP_BRIDGE_URL || APP_BRIDGE_CDN } : null,
  });
};

// Environment only: nothing to reload on client navigations.
export const shouldRevalidate = () => false;

export default function App() {
  const { appBridge } = useLoaderData<typeof loader>();
  return (
    <html lang="en">
      <head>
        {/*
          Every embedded document starts its <head> with the API key meta and App Bridge's script: Shopify requires
          the app-bridge.js script tag in the <head> of every document (Built for Shopify), and the script refuses
          to start unless it is the first <script>, synchronous (no async, defer or type=module). AppProvider would
          render it inside <body>, after other markup, so it is rendered here instead (app.tsx turns that off).
        */}
        {appBridge ? <meta name="shopify-api-key" content={appBridge.apiKey} /> : null}
        {appBridge ? <script src={appBridge.src} /> : null}
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        <Outlet />
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}
