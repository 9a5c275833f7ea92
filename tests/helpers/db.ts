// Empties every table of the test database (each test file has its own database; tests within a file share it).
import prisma from "../../app/db.server";

export async function resetDatabase() {
  const models = [
    prisma.session, prisma.shop, prisma.webhookDelivery, prisma.playConfig, prisma.publishedConfig,
    prisma.customerProfile, prisma.profileOrder, prisma.syncJob, prisma.event, prisma.playExposure,
    prisma.dailyPlayStat, prisma.orderAttribution, prisma.pageStat, prisma.rollupCursor, prisma.shopModel,
    prisma.dataRequest, prisma.orderRefund, prisma.bundleCode,
  ] as unknown as { deleteMany: () => Promise<unknown> }[];
  await prisma.$transaction(models.map((m) => m.deleteMany()) as never);
}
