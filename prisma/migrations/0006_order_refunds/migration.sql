-- CreateTable
CREATE TABLE "OrderRefund" (
    "shop" TEXT NOT NULL,
    "refundId" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "amount" REAL NOT NULL,
    "createdAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "refundId")
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_OrderAttribution" (
    "shop" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "visitorId" TEXT,
    "plays" TEXT NOT NULL DEFAULT '[]',
    "total" REAL NOT NULL,
    "discount" REAL NOT NULL DEFAULT 0,
    "refunded" REAL NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "orderId")
);
INSERT INTO "new_OrderAttribution" ("createdAt", "discount", "orderId", "plays", "shop", "total", "visitorId") SELECT "createdAt", "discount", "orderId", "plays", "shop", "total", "visitorId" FROM "OrderAttribution";
DROP TABLE "OrderAttribution";
ALTER TABLE "new_OrderAttribution" RENAME TO "OrderAttribution";
CREATE INDEX "OrderAttribution_shop_visitorId_idx" ON "OrderAttribution"("shop", "visitorId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

