-- AlterTable
ALTER TABLE "BundleCode" ADD COLUMN     "redeemCodeId" TEXT;

