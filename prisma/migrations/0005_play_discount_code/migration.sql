-- AlterTable
ALTER TABLE "PlayConfig" ADD COLUMN "discountCode" TEXT;

