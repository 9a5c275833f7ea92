import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { bundleCodeResponse } from "../models/bundle.server";
import { authenticateCheckout, jsonError } from "../models/edge.server";

// POST /api/checkout/bundle (checkout UI extension, Bearer session token): { visitorId } → a single-use Deal-Seeker
// bundle code for a treated visitor who was shown the offer and accepted it in checkout (the token's customer, when
// signed in, is recorded as the code's holder too). OPTIONS → CORS preflight.
async function handle(request: Request) {
  const { shop, customerId, cors } = await authenticateCheckout(request);
  if (request.method !== "POST") return cors(jsonError(405, "Use POST"));
  try {
    return cors(await bundleCodeResponse(request, shop, customerId));
  } catch (thrown) {
    // Body errors (400/413) are thrown as Responses: they need the CORS headers too.
    if (thrown instanceof Response) return cors(thrown);
    throw thrown;
  }
}

export const loader = ({ request }: LoaderFunctionArgs) => handle(request);
export const action = ({ request }: ActionFunctionArgs) => handle(request);
