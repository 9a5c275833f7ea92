-- AlterTable
ALTER TABLE "PlayConfig" ADD COLUMN "discountCodeAt" DATETIME;

