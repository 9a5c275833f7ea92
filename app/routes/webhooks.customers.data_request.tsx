import type { ActionFunctionArgs } from "@remix-run/node";
import { processWebhook } from "../models/webhooks.server";
import { reportCustomerData, type RedactCustomerPayload, CustomerPayloadSchema } from "../models/compliance.server";

// customers/data_request (mandatory): store a report of what the app holds about the customer.
export const action = async ({ request }: ActionFunctionArgs) =>
  processWebhook(
    request,
    async ({ shop, payload }) => {
      await reportCustomerData(shop, payload as RedactCustomerPayload);
    },
    { requireActiveShop: false, schema: CustomerPayloadSchema },
  );
