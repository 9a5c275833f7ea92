-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_SyncJob" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "bulkOperationId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'created',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "objectCount" INTEGER NOT NULL DEFAULT 0,
    "ordersProcessed" INTEGER NOT NULL DEFAULT 0,
    "customersProcessed" INTEGER NOT NULL DEFAULT 0,
    "linesSkipped" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "errorReason" TEXT,
    "historyFrom" DATETIME,
    "historyLimited" BOOLEAN NOT NULL DEFAULT false,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_SyncJob" ("attempts", "bulkOperationId", "customersProcessed", "error", "finishedAt", "id", "linesSkipped", "objectCount", "ordersProcessed", "shop", "startedAt", "status", "updatedAt") SELECT "attempts", "bulkOperationId", "customersProcessed", "error", "finishedAt", "id", "linesSkipped", "objectCount", "ordersProcessed", "shop", "startedAt", "status", "updatedAt" FROM "SyncJob";
DROP TABLE "SyncJob";
ALTER TABLE "new_SyncJob" RENAME TO "SyncJob";
CREATE INDEX "SyncJob_shop_startedAt_idx" ON "SyncJob"("shop", "startedAt");
CREATE INDEX "SyncJob_bulkOperationId_idx" ON "SyncJob"("bulkOperationId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

