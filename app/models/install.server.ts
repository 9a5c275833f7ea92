// What happens when a shop installs (or re-installs) the app: the Shop row exists and is active.
// History sync and play defaults hook in here (models/sync.server, models/plays.server).
import prisma from "../db.server";

type AdminContext = { graphql: (query: string, options?: { variables?: Record<string, unknown> }) => Promise<Response> };

export async function onInstalled(shop: string, _admin?: AdminContext): Promise<void> {
  await prisma.shop.upsert({
    where: { shop },
    create: { shop },
    update: { uninstalledAt: null },
  });
}
