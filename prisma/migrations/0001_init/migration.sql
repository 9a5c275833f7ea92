-- CreateTable
CREATE TABLE "Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "state" TEXT NOT NULL,
    "isOnline" BOOLEAN NOT NULL DEFAULT false,
    "scope" TEXT,
    "expires" DATETIME,
    "accessToken" TEXT NOT NULL,
    "userId" BIGINT,
    "firstName" TEXT,
    "lastName" TEXT,
    "email" TEXT,
    "accountOwner" BOOLEAN NOT NULL DEFAULT false,
    "locale" TEXT,
    "collaborator" BOOLEAN DEFAULT false,
    "emailVerified" BOOLEAN DEFAULT false,
    "refreshToken" TEXT,
    "refreshTokenExpires" DATETIME
);

-- CreateTable
CREATE TABLE "Shop" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME,
    "scopes" TEXT,
    "name" TEXT,
    "currencyCode" TEXT NOT NULL DEFAULT 'USD',
    "locale" TEXT NOT NULL DEFAULT 'en',
    "plan" TEXT,
    "shopAov" REAL NOT NULL DEFAULT 0,
    "retentionDays" INTEGER NOT NULL DEFAULT 365,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "WebhookDelivery" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "shop" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "receivedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "PlayConfig" (
    "shop" TEXT NOT NULL,
    "play" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "settings" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "discountId" TEXT,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "play")
);

-- CreateTable
CREATE TABLE "PublishedConfig" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "version" INTEGER NOT NULL DEFAULT 0,
    "payload" TEXT NOT NULL DEFAULT '{}',
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "publishedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "CustomerProfile" (
    "shop" TEXT NOT NULL,
    "customerId" TEXT NOT NULL,
    "ordersCount" INTEGER NOT NULL DEFAULT 0,
    "grossSpend" REAL NOT NULL DEFAULT 0,
    "refunded" REAL NOT NULL DEFAULT 0,
    "netSpend" REAL NOT NULL DEFAULT 0,
    "aov" REAL NOT NULL DEFAULT 0,
    "firstOrderAt" DATETIME,
    "lastOrderAt" DATETIME,
    "rScore" INTEGER NOT NULL DEFAULT 0,
    "fScore" INTEGER NOT NULL DEFAULT 0,
    "mScore" INTEGER NOT NULL DEFAULT 0,
    "segment" TEXT NOT NULL DEFAULT 'PROSPECTS',
    "stage" TEXT NOT NULL DEFAULT 'returning_visitor',
    "shopifyRfmGroup" TEXT,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "customerId")
);

-- CreateTable
CREATE TABLE "ProfileOrder" (
    "shop" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "customerId" TEXT,
    "createdAt" DATETIME NOT NULL,
    "total" REAL NOT NULL,
    "refunded" REAL NOT NULL DEFAULT 0,
    "cancelled" BOOLEAN NOT NULL DEFAULT false,
    "sourceUpdatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "orderId")
);

-- CreateTable
CREATE TABLE "SyncJob" (
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
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "Event" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "shop" TEXT NOT NULL,
    "visitorId" TEXT NOT NULL,
    "customerId" TEXT,
    "type" TEXT NOT NULL,
    "play" TEXT,
    "arm" TEXT,
    "pageType" TEXT,
    "path" TEXT,
    "value" REAL,
    "occurredAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "PlayExposure" (
    "shop" TEXT NOT NULL,
    "play" TEXT NOT NULL,
    "visitorId" TEXT NOT NULL,
    "arm" TEXT NOT NULL,
    "customerId" TEXT,
    "firstEligibleAt" DATETIME NOT NULL,
    "shownAt" DATETIME,
    "engagedAt" DATETIME,
    "orders" INTEGER NOT NULL DEFAULT 0,
    "revenue" REAL NOT NULL DEFAULT 0,
    "discount" REAL NOT NULL DEFAULT 0,

    PRIMARY KEY ("shop", "play", "visitorId")
);

-- CreateTable
CREATE TABLE "DailyPlayStat" (
    "shop" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "play" TEXT NOT NULL,
    "arm" TEXT NOT NULL,
    "eligible" INTEGER NOT NULL DEFAULT 0,
    "shown" INTEGER NOT NULL DEFAULT 0,
    "engaged" INTEGER NOT NULL DEFAULT 0,
    "orders" INTEGER NOT NULL DEFAULT 0,
    "revenue" REAL NOT NULL DEFAULT 0,
    "discount" REAL NOT NULL DEFAULT 0,

    PRIMARY KEY ("shop", "day", "play", "arm")
);

-- CreateTable
CREATE TABLE "OrderAttribution" (
    "shop" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "visitorId" TEXT,
    "plays" TEXT NOT NULL DEFAULT '[]',
    "total" REAL NOT NULL,
    "discount" REAL NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "orderId")
);

-- CreateTable
CREATE TABLE "PageStat" (
    "shop" TEXT NOT NULL,
    "pageKey" TEXT NOT NULL,
    "pageviews" INTEGER NOT NULL DEFAULT 0,
    "entrances" INTEGER NOT NULL DEFAULT 0,
    "bounces" INTEGER NOT NULL DEFAULT 0,
    "exits" INTEGER NOT NULL DEFAULT 0,
    "value" REAL NOT NULL DEFAULT 0,

    PRIMARY KEY ("shop", "pageKey")
);

-- CreateTable
CREATE TABLE "RollupCursor" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "lastEventId" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ShopModel" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "version" INTEGER NOT NULL DEFAULT 0,
    "params" TEXT NOT NULL,
    "metrics" TEXT NOT NULL DEFAULT '{}',
    "trainedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "Session_shop_idx" ON "Session"("shop");

-- CreateIndex
CREATE INDEX "WebhookDelivery_shop_idx" ON "WebhookDelivery"("shop");

-- CreateIndex
CREATE INDEX "CustomerProfile_shop_segment_idx" ON "CustomerProfile"("shop", "segment");

-- CreateIndex
CREATE INDEX "ProfileOrder_shop_customerId_idx" ON "ProfileOrder"("shop", "customerId");

-- CreateIndex
CREATE INDEX "SyncJob_shop_startedAt_idx" ON "SyncJob"("shop", "startedAt");

-- CreateIndex
CREATE INDEX "SyncJob_bulkOperationId_idx" ON "SyncJob"("bulkOperationId");

-- CreateIndex
CREATE INDEX "Event_shop_id_idx" ON "Event"("shop", "id");

-- CreateIndex
CREATE INDEX "Event_shop_occurredAt_idx" ON "Event"("shop", "occurredAt");

-- CreateIndex
CREATE INDEX "Event_shop_customerId_idx" ON "Event"("shop", "customerId");

-- CreateIndex
CREATE INDEX "PlayExposure_shop_firstEligibleAt_idx" ON "PlayExposure"("shop", "firstEligibleAt");

-- CreateIndex
CREATE INDEX "OrderAttribution_shop_visitorId_idx" ON "OrderAttribution"("shop", "visitorId");

