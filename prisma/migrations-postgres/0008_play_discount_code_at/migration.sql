-- AlterTable
ALTER TABLE "PlayConfig" ADD COLUMN     "discountCodeAt" TIMESTAMP(3);

