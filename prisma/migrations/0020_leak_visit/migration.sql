-- CreateTable
CREATE TABLE "LeakVisit" (
    "shop" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "visitorId" TEXT NOT NULL,
    "state" TEXT NOT NULL,

    PRIMARY KEY ("shop", "day", "visitorId")
);


-- The leak aggregates become incremental per visit: the days folded before there were visit states are rebuilt
-- from the stored events by the next fold (the leak page's 90 days lie well inside the event retention).
DELETE FROM "LeakFunnelDay";
DELETE FROM "LeakPathDay";
DELETE FROM "LeakPathWeek";
UPDATE "LeakCursor" SET "lastEventId" = 0;
