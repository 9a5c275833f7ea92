-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "marginPercent" DOUBLE PRECISION NOT NULL DEFAULT 50;

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

    CONSTRAINT "LeakFunnelDay_pkey" PRIMARY KEY ("shop","day")
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

    CONSTRAINT "LeakPathDay_pkey" PRIMARY KEY ("shop","day","kind","path")
);

-- CreateTable
CREATE TABLE "PlayMoneyDay" (
    "shop" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "play" TEXT NOT NULL,
    "arm" TEXT NOT NULL,
    "visitors" INTEGER NOT NULL DEFAULT 0,
    "revenue" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "revenueSq" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "discount" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "discountSq" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "cross" DOUBLE PRECISION NOT NULL DEFAULT 0,

    CONSTRAINT "PlayMoneyDay_pkey" PRIMARY KEY ("shop","day","play","arm")
);

-- CreateTable
CREATE TABLE "LeakCursor" (
    "shop" TEXT NOT NULL,
    "lastEventId" INTEGER NOT NULL DEFAULT 0,
    "ordersAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LeakCursor_pkey" PRIMARY KEY ("shop")
);

