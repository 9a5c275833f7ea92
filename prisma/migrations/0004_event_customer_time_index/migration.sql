-- DropIndex
DROP INDEX "Event_shop_customerId_idx";

-- CreateIndex
CREATE INDEX "Event_shop_customerId_occurredAt_idx" ON "Event"("shop", "customerId", "occurredAt");


