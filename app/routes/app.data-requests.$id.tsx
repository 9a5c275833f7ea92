// Download of one customers/data_request report (resource route, JSON attachment); the first download marks it
// delivered. Guard: authenticate.admin (session token via App Bridge fetch); the id is looked up within the shop.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { takeDataRequestReport } from "../models/compliance.server";
import { authenticate } from "../shopify.server";

const idSchema = z.string().regex(/^[a-z0-9]{1,40}$/);

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const id = idSchema.safeParse(params.id);
  const found = id.success ? await takeDataRequestReport(session.shop, id.data) : null;
  if (!found) return new Response("Not found", { status: 404, headers: { "Cache-Control": "no-store" } });
  return new Response(found.report, {
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": `attachment; filename="recovery-plays-customer-${found.customerId}.json"`,
      "Cache-Control": "no-store",
    },
  });
};
