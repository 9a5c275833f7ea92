import type { ActionFunctionArgs } from "@remix-run/node";
import { processWebhook } from "../models/webhooks.server";
import { redactCustomer, type RedactCustomerPayload, CustomerPayloadSchema } from "../models/compliance.server";

// customers/redact (mandatory): erase the customer's profile, events and the listed orders.
export const action = async ({ request }: ActionFunctionArgs) =>
  processWebhook(
    request,
    async ({ shop, payload }) => {
      await redactCustomer(shop, payload as RedactCustomerPayload);
    },
    { requireActiveShop: false, schema: CustomerPayloadSchema },
  );
