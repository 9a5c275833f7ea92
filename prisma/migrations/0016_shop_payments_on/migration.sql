-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "paymentsOnAt" DATETIME;

