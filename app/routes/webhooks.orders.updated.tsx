import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { processWebhook } from "../models/webhooks.server";
import { applyOrderWebhook } from "../models/profiles.server";
import { orderPayloadSchema } from "../models/attribution.server";

/** A finite amount (string or number), bounded so sums of refunds stay finite. */
const amount = z.union([z.string(), z.number()]).refine((v) => {
  const n = typeof v === "number" ? v : Number(v);
  return Number.isFinite(n) && Math.abs(n) < 1e12;
});

/**
 * orders/create's schema plus the fields an update changes: refunds (with their transactions) and cancellation.
 * Amounts the profile fold adds up are bounded (a total of 1e308 would overflow the profile's sums).
 */
const orderUpdatedPayloadSchema = orderPayloadSchema.extend({
  total_price: amount,
  updated_at: z.string().nullish(),
  cancelled_at: z.string().nullish(),
  financial_status: z.string().nullish(),
  refunds: z
    .array(
      z.looseObject({
        created_at: z.string().nullish(),
        transactions: z.array(z.looseObject({ amount, kind: z.string().nullish(), status: z.string().nullish() })).max(1000).nullish(),
      }),
    )
    .max(1000)
    .nullish(),
});

// orders/updated (Shopify fires it on every refund and cancellation, with the whole order): the order is folded
// into the customer's profile again, idempotent by order id and never regressed by an older updated_at. Only the
// profile moves: refunds/create already takes refunds off the attributed revenue, so attribution is not touched.
export const action = async ({ request }: ActionFunctionArgs) =>
  processWebhook(
    request,
    async ({ shop, payload }) => {
      await applyOrderWebhook(shop, payload);
    },
    { schema: orderUpdatedPayloadSchema },
  );
