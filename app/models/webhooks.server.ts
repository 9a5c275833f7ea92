// Webhook edge: HMAC verified by authenticate.webhook (401 on a bad signature, nothing written), each delivery
// claimed once by its X-Shopify-Webhook-Id (a repeated delivery changes nothing), handler failures release the
// claim and answer 500 so Shopify retries, a database outage answers 503.
import { Prisma } from "@prisma/client";
import type { z } from "zod";
import prisma from "../db.server";
import { authenticate } from "../shopify.server";

export type WebhookContext = Awaited<ReturnType<typeof authenticate.webhook>>;

function isUniqueViolation(err: unknown) {
  return (
    (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") ||
    (typeof err === "object" && err !== null && (err as { code?: string }).code === "P2002")
  );
}

/** True while the shop has the app installed (uninstall stops all processing immediately). */
export async function isShopActive(shop: string): Promise<boolean> {
  const row = await prisma.shop.findUnique({ where: { shop }, select: { uninstalledAt: true } });
  return !!row && row.uninstalledAt === null;
}

export async function processWebhook(
  request: Request,
  handle: (ctx: WebhookContext) => Promise<void>,
  options: { requireActiveShop?: boolean; schema?: z.ZodTypeAny } = {},
): Promise<Response> {
  let ctx: WebhookContext;
  try {
    ctx = await authenticate.webhook(request);
  } catch (err) {
    if (err instanceof Response) throw err; // 400 missing headers / 401 bad HMAC, from the library
    console.error("webhook: session storage unavailable");
    return new Response("Service unavailable", { status: 503 });
  }
  // Signed but malformed payloads are refused before anything is claimed or written.
  if (options.schema && !options.schema.safeParse(ctx.payload).success) {
    return new Response(`Invalid ${String(ctx.topic)} payload`, { status: 400 });
  }
  const id = ctx.webhookId || request.headers.get("x-shopify-webhook-id");
  if (!id) return new Response("Missing X-Shopify-Webhook-Id", { status: 400 });
  try {
    await prisma.webhookDelivery.create({ data: { id, shop: ctx.shop, topic: String(ctx.topic) } });
  } catch (err) {
    if (isUniqueViolation(err)) return new Response(null, { status: 200 });
    console.error(`webhook ${ctx.topic}: database unavailable`);
    return new Response("Service unavailable", { status: 503 });
  }
  try {
    if (options.requireActiveShop === false || (await isShopActive(ctx.shop))) await handle(ctx);
    return new Response(null, { status: 200 });
  } catch (err) {
    await prisma.webhookDelivery.delete({ where: { id } }).catch(() => undefined);
    console.error(`webhook ${ctx.topic} for ${ctx.shop} failed: ${err instanceof Error ? err.message : "error"}`);
    return new Response("Webhook processing failed", { status: 500 });
  }
}
