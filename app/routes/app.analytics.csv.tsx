// CSV export of the analytics report (resource route). Guard: authenticate.admin (session token via App Bridge fetch).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { analyticsRange, getAnalyticsCsv } from "../models/adminData.server";
import { authenticate } from "../shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const range = analyticsRange(new URL(request.url).searchParams);
  const csv = await getAnalyticsCsv(session.shop, range);
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="recovery-plays-${range.days}d.csv"`,
      "Cache-Control": "no-store",
    },
  });
};
