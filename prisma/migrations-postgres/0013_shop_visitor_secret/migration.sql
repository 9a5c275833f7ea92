-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "visitorSecret" TEXT;

