// What happens when a shop installs (or re-installs) the app: the Shop row is active, the four plays exist
// (all OFF — nothing reaches shoppers until the merchant turns one on), the storefront config is published,
// and the customer-history sync starts. Each step is recorded and retried on its own; none blocks the admin.
import prisma from "../db.server";
import type { AdminGraphqlClient } from "./adminData.server";
import { ensureDefaultPlays } from "./plays.server";
import { publishConfig } from "./publish.server";
import { startHistorySync } from "./sync.server";

export async function onInstalled(shop: string, admin: AdminGraphqlClient): Promise<void> {
  const existing = await prisma.shop.findUnique({ where: { shop } });
  await prisma.shop.upsert({ where: { shop }, create: { shop }, update: { uninstalledAt: null } });
  await ensureDefaultPlays(shop);
  await publishConfig(shop, admin);
  const synced = await prisma.syncJob.count({ where: { shop } });
  if (!existing || existing.uninstalledAt || synced === 0) {
    // Failures are recorded on the SyncJob and shown in the admin; the install itself must not fail.
    await startHistorySync(shop, admin).catch((err) =>
      console.error(`history sync could not start for ${shop}: ${err instanceof Error ? err.message : err}`),
    );
  }
}
