import type { ActionFunctionArgs } from "@remix-run/node";
import { processWebhook } from "../models/webhooks.server";
import { applyOrderWebhook } from "../models/profiles.server";
import { attributeOrder, orderPayloadSchema } from "../models/attribution.server";

// orders/create: fold the order into the customer's profile (idempotent by order id, never regressed by an
// older update) and tie it to the plays it saw through the cart attributes carried into the order.
export const action = async ({ request }: ActionFunctionArgs) =>
  processWebhook(
    request,
    async ({ shop, payload }) => {
      await applyOrderWebhook(shop, payload);
      await attributeOrder(shop, payload);
    },
    { schema: orderPayloadSchema },
  );
