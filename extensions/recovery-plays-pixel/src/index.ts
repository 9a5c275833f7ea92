// The app's web pixel (strict sandbox: no DOM, no window; only the API register() hands over). It forwards
// Shopify's standard checkout events to the app so the profile knows where a customer stalls in checkout. It
// sends no money, no arms and no personal data: the event name, the checkout token, the app's visitor id from
// the cart attribute and Shopify's client id. The app trusts none of it for measurement or money.
import { register } from "@shopify/web-pixels-extension";
import { PIXEL_CHECKOUT_EVENTS, visitorFromAttributes, type PixelEventBody } from "../../../app/lib/profile-out/checkout";

register(({ analytics, browser, init, settings }) => {
  const endpoint = typeof settings.endpoint === "string" ? settings.endpoint : "";
  const key = typeof settings.shopKey === "string" ? settings.shopKey : "";
  const shop = init.data.shop.myshopifyDomain;
  if (!/^https?:\/\//.test(endpoint) || !key) return;

  for (const name of PIXEL_CHECKOUT_EVENTS) {
    analytics.subscribe(name, async (event) => {
      const checkout = (event as { data?: { checkout?: { token?: string | null; attributes?: { key: string; value: string | null }[] } } }).data?.checkout;
      const token = checkout?.token;
      if (!token) return;
      // checkout_started fires on every entry into checkout: send each step of a checkout once per tab.
      const seen = `rp_px_${token}_${name}`;
      if (name === "checkout_started" && (await browser.sessionStorage.getItem(seen))) return;
      const body: PixelEventBody = {
        shop,
        key,
        event: name,
        checkout: token,
        visitorId: visitorFromAttributes(checkout?.attributes),
        clientId: event.clientId,
        ts: Date.parse(event.timestamp) || Date.now(),
      };
      // text/plain keeps the request "simple" (no CORS preflight from the sandbox's opaque origin).
      await fetch(endpoint, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "text/plain" }, keepalive: true }).catch(() => undefined);
      if (name === "checkout_started") await browser.sessionStorage.setItem(seen, "1");
    });
  }
});
