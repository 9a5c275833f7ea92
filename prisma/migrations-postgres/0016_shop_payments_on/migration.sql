-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "paymentsOnAt" TIMESTAMP(3);

