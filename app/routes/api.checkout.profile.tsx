import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { authenticateCheckout, jsonError } from "../models/edge.server";
import { customerContext } from "../models/profiles.server";

// GET /api/checkout/profile (checkout UI extension, Bearer session token): the buyer's context, customer from
// the token's `sub` only. OPTIONS → CORS preflight.
async function handle(request: Request) {
  const { shop, customerId, cors } = await authenticateCheckout(request);
  if (request.method !== "GET") return cors(jsonError(405, "Use GET"));
  try {
    const customer = customerId ? await customerContext(shop, customerId) : null;
    return cors(json({ customer }, { headers: { "Cache-Control": "private, no-store" } }));
  } catch {
    return cors(jsonError(503, "Profile temporarily unavailable"));
  }
}

export const loader = ({ request }: LoaderFunctionArgs) => handle(request);
export const action = ({ request }: ActionFunctionArgs) => handle(request);
