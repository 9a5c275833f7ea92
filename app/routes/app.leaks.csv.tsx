// CSV export of the leak table (resource route). Guard: authenticate.admin (session token via App Bridge fetch).
import type { LoaderFunctionArgs } from "@remix-run/node";
import { getLeakCsv, leakRange } from "../models/leaks.server";
import { authenticate } from "../shopify.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const range = await leakRange(session.shop, new URL(request.url).searchParams);
  const csv = await getLeakCsv(session.shop, range);
  return new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="recovery-plays-leaks-${range.days}d.csv"`,
      "Cache-Control": "no-store",
    },
  });
};
