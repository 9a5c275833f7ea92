import type { ActionFunctionArgs } from "@remix-run/node";
import { bundleCodeResponse } from "../models/bundle.server";
import { authenticateProxy, jsonError } from "../models/edge.server";

// POST /apps/recovery-plays/bundle (storefront, via the signed app proxy): { visitorId } → a single-use Deal-Seeker
// bundle code for a treated visitor who was shown the offer and accepted it (the embed then applies it to the cart).
// The signed `logged_in_customer_id`, when present, is recorded as the code's holder too.
export const action = async ({ request }: ActionFunctionArgs) => {
  if (request.method !== "POST") return jsonError(405, "Use POST");
  const { shop, customerId } = await authenticateProxy(request);
  return bundleCodeResponse(request, shop, customerId);
};

export const loader = async () => jsonError(405, "Use POST");
