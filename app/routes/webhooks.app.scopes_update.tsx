import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import prisma from "../db.server";
import { processWebhook } from "../models/webhooks.server";

const Payload = z.object({ current: z.array(z.string().max(100)).max(100) });

// app/scopes_update: keep the stored sessions' scope in step with what the merchant granted.
export const action = async ({ request }: ActionFunctionArgs) =>
  processWebhook(
    request,
    async ({ shop, payload }) => {
    const scope = Payload.parse(payload).current.join(",");
    await prisma.$transaction([
      prisma.session.updateMany({ where: { shop }, data: { scope } }),
      prisma.shop.updateMany({ where: { shop }, data: { scopes: scope } }),
    ]);
    },
    { schema: Payload },
  );
