import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";

// The app is embedded: Shopify opens /app. A shop param here means the admin opened the root URL.
// Guard: none needed (redirect only, no data).
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  if (url.searchParams.get("shop")) throw redirect(`/app?${url.searchParams.toString()}`);
  return new Response("Recovery Plays is an embedded Shopify app. Install it from the Shopify App Store.", {
    headers: { "Content-Type": "text/plain; charset=utf-8" },
  });
};
