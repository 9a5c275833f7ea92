import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticateProxy, jsonError } from "../models/edge.server";
import { ingestEvents } from "../models/ingest.server";

// POST /apps/recovery-plays/events (storefront sendBeacon, via the signed app proxy): a batch of session events.
export const action = async ({ request }: ActionFunctionArgs) => {
  if (request.method !== "POST") return jsonError(405, "Use POST");
  const { shop, customerId } = await authenticateProxy(request);
  return ingestEvents(request, shop, customerId);
};

export const loader = async () => jsonError(405, "Use POST");
