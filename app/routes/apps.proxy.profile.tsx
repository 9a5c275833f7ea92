import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { authenticateProxy, jsonError } from "../models/edge.server";
import { customerContext } from "../models/profiles.server";

// GET /apps/recovery-plays/profile (storefront, via the signed app proxy): the logged-in customer's context
// (stage, segment, AOV — no personal data). The customer is `logged_in_customer_id` from Shopify, never a
// client-supplied id. Logged out → { customer: null }.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop, customerId } = await authenticateProxy(request);
  try {
    const customer = customerId ? await customerContext(shop, customerId) : null;
    return json({ customer }, { headers: { "Cache-Control": "private, no-store" } });
  } catch {
    return jsonError(503, "Profile temporarily unavailable");
  }
};
