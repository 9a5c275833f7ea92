import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { authenticatePixel, recordPixelEvent } from "../models/profileOutPixel.server";

// POST /api/pixel/events (the app's web pixel, from Shopify's sandbox): one standard checkout event per request.
async function handle(request: Request) {
  let body;
  try {
    body = await authenticatePixel(request);
  } catch (res) {
    if (res instanceof Response) return res;
    throw res;
  }
  return recordPixelEvent(body.shop, body);
}

export const loader = ({ request }: LoaderFunctionArgs) => handle(request);
export const action = ({ request }: ActionFunctionArgs) => handle(request);
