import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { authenticateCheckout, jsonError } from "../models/edge.server";
import { ingestEvents } from "../models/ingest.server";

// POST /api/checkout/events (checkout UI extension, Bearer session token): shown/engaged events for measurement.
async function handle(request: Request) {
  const { shop, customerId, cors } = await authenticateCheckout(request);
  if (request.method !== "POST") return cors(jsonError(405, "Use POST"));
  return cors(await ingestEvents(request, shop, customerId));
}

export const loader = ({ request }: LoaderFunctionArgs) => handle(request);
export const action = ({ request }: ActionFunctionArgs) => handle(request);
