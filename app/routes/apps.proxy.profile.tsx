import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { authenticateProxy, jsonError } from "../models/edge.server";
import { customerContext } from "../models/profiles.server";
import { issueVisitor } from "../models/visitors.server";

// GET /apps/recovery-plays/profile[?vid=<signed id>] (storefront, via the signed app proxy): the visitor id the app
// signed for this browser (the presented one if it verifies, else a new one) with its arm in every play, and the
// logged-in customer's context (stage, segment, AOV — no personal data). The customer is `logged_in_customer_id`
// from Shopify, never a client-supplied id. Logged out → `customer: null`.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop, customerId } = await authenticateProxy(request);
  try {
    const [visitor, customer] = await Promise.all([
      issueVisitor(shop, new URL(request.url).searchParams.get("vid")),
      customerId ? customerContext(shop, customerId) : null,
    ]);
    return json({ customer, visitor }, { headers: { "Cache-Control": "private, no-store" } });
  } catch {
    return jsonError(503, "Profile temporarily unavailable");
  }
};
