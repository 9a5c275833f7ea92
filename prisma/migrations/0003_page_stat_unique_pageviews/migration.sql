-- AlterTable
ALTER TABLE "PageStat" ADD COLUMN "uniquePageviews" INTEGER NOT NULL DEFAULT 0;
