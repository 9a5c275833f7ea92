import type { ActionFunctionArgs } from "@remix-run/node";
import { bundleCodeResponse } from "../models/bundle.server";
import { authenticateProxy, jsonError } from "../models/edge.server";

// POST /apps/recovery-plays/bundle (storefront, via the signed app proxy): { visitorId } → the Deal-Seeker bundle
// discount code for a treated visitor who accepted the offer (the embed then applies it to the cart).
export const action = async ({ request }: ActionFunctionArgs) => {
  if (request.method !== "POST") return jsonError(405, "Use POST");
  const { shop } = await authenticateProxy(request);
  return bundleCodeResponse(request, shop);
};

export const loader = async () => jsonError(405, "Use POST");
