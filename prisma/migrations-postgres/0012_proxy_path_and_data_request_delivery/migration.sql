-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "proxyPathPrefix" TEXT;

-- AlterTable
ALTER TABLE "DataRequest" ADD COLUMN     "deliveredAt" TIMESTAMP(3);

