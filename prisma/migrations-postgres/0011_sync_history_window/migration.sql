-- AlterTable
ALTER TABLE "SyncJob" ADD COLUMN     "errorReason" TEXT,
ADD COLUMN     "historyFrom" TIMESTAMP(3),
ADD COLUMN     "historyLimited" BOOLEAN NOT NULL DEFAULT false;

