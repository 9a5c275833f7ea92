import type { ActionFunctionArgs } from "@remix-run/node";
import prisma from "../db.server";
import { forgetShopState } from "../models/edge.server";
import { invalidationBus } from "../models/shared.server";
import { processWebhook } from "../models/webhooks.server";

// app/uninstalled: stop all processing for the shop now (storefront/checkout endpoints refuse an uninstalled
// shop) and drop its sessions. Data stays until shop/redact (48 h later), as Shopify requires.
export const action = async ({ request }: ActionFunctionArgs) =>
  processWebhook(
    request,
    async ({ shop }) => {
      await prisma.$transaction([
        prisma.shop.upsert({
          where: { shop },
          create: { shop, uninstalledAt: new Date() },
          update: { uninstalledAt: new Date() },
        }),
        prisma.session.deleteMany({ where: { shop } }),
      ]);
      // This process stops answering the shop's storefront and checkout at once; the other instances when the
      // invalidation reaches them through Redis (within the cache TTL without REDIS_URL).
      forgetShopState(shop);
      await invalidationBus().broadcast("shop-state", shop);
    },
    { requireActiveShop: false },
  );
