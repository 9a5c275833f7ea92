import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { authenticateProxy, jsonError } from "../models/edge.server";
import { previewContent, verifyPreviewToken } from "../models/preview.server";

// GET /apps/recovery-plays/preview?token=… (storefront, via the signed app proxy): the play a merchant's preview
// token grants, with its current copy. The shop comes from the proxy signature, so a token minted for another shop,
// an expired or a forged one is a 404 and the storefront shows nothing. Nothing is recorded.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await authenticateProxy(request);
  const play = verifyPreviewToken(new URL(request.url).searchParams.get("token"), shop);
  if (!play) return jsonError(404, "No preview for this token");
  try {
    return json(await previewContent(shop, play), { headers: { "Cache-Control": "private, no-store" } });
  } catch {
    return jsonError(503, "Preview temporarily unavailable");
  }
};
