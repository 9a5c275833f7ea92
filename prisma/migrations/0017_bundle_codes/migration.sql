-- CreateTable
CREATE TABLE "BundleCode" (
    "shop" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "discountId" TEXT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'pending',
    "bulkId" TEXT,
    "visitorId" TEXT,
    "customerId" TEXT,
    "issuedAt" DATETIME,
    "estimate" REAL NOT NULL DEFAULT 0,
    "usedAt" DATETIME,
    "orderId" TEXT,
    "orderVisitorId" TEXT,
    "amount" REAL NOT NULL DEFAULT 0,
    "leaked" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("shop", "code")
);

-- CreateIndex
CREATE INDEX "BundleCode_shop_state_idx" ON "BundleCode"("shop", "state");

-- CreateIndex
CREATE INDEX "BundleCode_shop_visitorId_idx" ON "BundleCode"("shop", "visitorId");

-- CreateIndex
CREATE INDEX "BundleCode_shop_issuedAt_idx" ON "BundleCode"("shop", "issuedAt");

-- CreateIndex
CREATE INDEX "BundleCode_shop_usedAt_idx" ON "BundleCode"("shop", "usedAt");

