import type { ActionFunctionArgs } from "@remix-run/node";
import { processWebhook } from "../models/webhooks.server";
import { recordRefund, refundPayloadSchema } from "../models/attribution.server";

// refunds/create: money returned on an attributed order comes off the revenue the plays are credited with
// (idempotent by refund id; the conversion stands).
export const action = async ({ request }: ActionFunctionArgs) =>
  processWebhook(
    request,
    async ({ shop, payload }) => {
      await recordRefund(shop, payload);
    },
    { schema: refundPayloadSchema },
  );
