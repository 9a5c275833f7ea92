import type { ActionFunctionArgs } from "@remix-run/node";
import { processWebhook } from "../models/webhooks.server";
import { redactShop, ShopRedactPayloadSchema } from "../models/compliance.server";

// shop/redact (mandatory, 48 h after uninstall): erase everything the app holds for the shop.
export const action = async ({ request }: ActionFunctionArgs) =>
  processWebhook(
    request,
    async ({ shop }) => {
      await redactShop(shop);
    },
    { requireActiveShop: false, schema: ShopRedactPayloadSchema },
  );
