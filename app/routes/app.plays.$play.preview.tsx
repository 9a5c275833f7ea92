// POST /app/plays/:play/preview: a storefront link that previews the play for the merchant (signed token, 15 min).
// Guard: authenticate.admin; the play key is validated (404 otherwise).
import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { isPlayKey } from "../lib/playsSchema/schema";
import { PREVIEW_TTL_MS, previewUrl } from "../models/preview.server";
import { authenticate } from "../shopify.server";

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  if (!isPlayKey(params.play)) return json({ error: "errors.notFound" }, { status: 404 });
  return json({ url: previewUrl(session.shop, params.play), expiresInMinutes: PREVIEW_TTL_MS / 60_000 }, { headers: { "Cache-Control": "no-store" } });
};
