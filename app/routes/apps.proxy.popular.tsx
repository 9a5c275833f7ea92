import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { HANDLE, POPULAR_POOL } from "../lib/storefront/popular";
import { authenticateProxy, jsonError } from "../models/edge.server";
import { recentSales } from "../models/popularity.server";

// GET /apps/recovery-plays/popular?h=<handle>,<handle>… (storefront, via the signed app proxy): the shop's recent
// sales of each of Shopify's related products, so Popular Alternatives are ranked by what this shop sells. At most
// POPULAR_POOL handles; anything that is not a handle is refused. Counts only, nothing about any shopper.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await authenticateProxy(request);
  const handles = (new URL(request.url).searchParams.get("h") ?? "").split(",").filter(Boolean);
  if (handles.length > POPULAR_POOL || !handles.every((h) => HANDLE.test(h))) return jsonError(400, "Expected up to 10 product handles");
  try {
    return json({ sales: await recentSales(shop, handles) }, { headers: { "Cache-Control": "private, max-age=300" } });
  } catch {
    return jsonError(503, "Popularity temporarily unavailable");
  }
};
