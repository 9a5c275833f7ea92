-- CreateTable
CREATE TABLE "LeakFunnelDay" (
    "shop" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "visits" INTEGER NOT NULL DEFAULT 0,
    "productViews" INTEGER NOT NULL DEFAULT 0,
    "adds" INTEGER NOT NULL DEFAULT 0,
    "carts" INTEGER NOT NULL DEFAULT 0,
    "checkouts" INTEGER NOT NULL DEFAULT 0,
    "orders" INTEGER NOT NULL DEFAULT 0,
    "bounces" INTEGER NOT NULL DEFAULT 0,
    "abandonedCarts" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("shop", "day")
);

-- CreateTable
CREATE TABLE "LeakPathDay" (
    "shop" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "pageType" TEXT NOT NULL DEFAULT '',
    "views" INTEGER NOT NULL DEFAULT 0,
    "exits" INTEGER NOT NULL DEFAULT 0,
    "abandoned" INTEGER NOT NULL DEFAULT 0,
    "policy" INTEGER NOT NULL DEFAULT 0,
    "stall" INTEGER NOT NULL DEFAULT 0,
    "cycles" INTEGER NOT NULL DEFAULT 0,
    "repeat" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("shop", "day", "kind", "path")
);

-- CreateTable
CREATE TABLE "PlayMoneyDay" (
    "shop" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "play" TEXT NOT NULL,
    "arm" TEXT NOT NULL,
    "visitors" INTEGER NOT NULL DEFAULT 0,
    "revenue" REAL NOT NULL DEFAULT 0,
    "revenueSq" REAL NOT NULL DEFAULT 0,
    "discount" REAL NOT NULL DEFAULT 0,
    "discountSq" REAL NOT NULL DEFAULT 0,
    "cross" REAL NOT NULL DEFAULT 0,

    PRIMARY KEY ("shop", "day", "play", "arm")
);

-- CreateTable
CREATE TABLE "LeakCursor" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "lastEventId" INTEGER NOT NULL DEFAULT 0,
    "ordersAt" DATETIME,
    "updatedAt" DATETIME NOT NULL
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Shop" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" DATETIME,
    "scopes" TEXT,
    "name" TEXT,
    "currencyCode" TEXT NOT NULL DEFAULT 'USD',
    "ianaTimezone" TEXT,
    "statsZone" TEXT,
    "locale" TEXT NOT NULL DEFAULT 'en',
    "plan" TEXT,
    "shopAov" REAL NOT NULL DEFAULT 0,
    "retentionDays" INTEGER NOT NULL DEFAULT 365,
    "proxyPathPrefix" TEXT,
    "visitorSecret" TEXT,
    "marginPercent" REAL NOT NULL DEFAULT 50,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Shop" ("currencyCode", "ianaTimezone", "installedAt", "locale", "name", "plan", "proxyPathPrefix", "retentionDays", "scopes", "shop", "shopAov", "statsZone", "uninstalledAt", "updatedAt", "visitorSecret") SELECT "currencyCode", "ianaTimezone", "installedAt", "locale", "name", "plan", "proxyPathPrefix", "retentionDays", "scopes", "shop", "shopAov", "statsZone", "uninstalledAt", "updatedAt", "visitorSecret" FROM "Shop";
DROP TABLE "Shop";
ALTER TABLE "new_Shop" RENAME TO "Shop";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

