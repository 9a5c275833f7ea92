-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "statsZone" TEXT;

