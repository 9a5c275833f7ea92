import type { ActionFunctionArgs } from "@remix-run/node";
import { processWebhook } from "../models/webhooks.server";
import { onBulkOperationFinish, type BulkFinishPayload } from "../models/sync.server";

// Shopify expects an answer within 5 s; folding a large history takes longer, so the work continues after the
// answer. Its progress and any failure are recorded on the SyncJob (shown in the admin), and a stale job is
// picked up again by the polling fallback.
const ANSWER_WITHIN_MS = 3000;

export const action = async ({ request }: ActionFunctionArgs) =>
  processWebhook(request, async ({ shop, payload, admin }) => {
    if (!admin) throw new Error("no offline session for the shop");
    const work = onBulkOperationFinish(shop, payload as BulkFinishPayload, admin).catch((err) => {
      console.error(`history sync for ${shop} failed: ${err instanceof Error ? err.message : "error"}`);
    });
    await Promise.race([work, new Promise((r) => setTimeout(r, ANSWER_WITHIN_MS))]);
  });
