import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { authenticateCheckout, jsonError } from "../models/edge.server";
import { customerContext } from "../models/profiles.server";
import { issueVisitor } from "../models/visitors.server";

// GET /api/checkout/profile[?vid=<signed id>] (checkout UI extension, Bearer session token): the buyer's context,
// customer from the token's `sub` only, and the signed visitor id with its server-decided arms (the storefront's
// `_rp_vid` when it verifies, else a new id). OPTIONS → CORS preflight.
async function handle(request: Request) {
  const { shop, customerId, cors } = await authenticateCheckout(request);
  if (request.method !== "GET") return cors(jsonError(405, "Use GET"));
  try {
    const [visitor, customer] = await Promise.all([
      issueVisitor(shop, new URL(request.url).searchParams.get("vid")),
      customerId ? customerContext(shop, customerId) : null,
    ]);
    return cors(json({ customer, visitor }, { headers: { "Cache-Control": "private, no-store" } }));
  } catch {
    return cors(jsonError(503, "Profile temporarily unavailable"));
  }
}

export const loader = ({ request }: LoaderFunctionArgs) => handle(request);
export const action = ({ request }: ActionFunctionArgs) => handle(request);
