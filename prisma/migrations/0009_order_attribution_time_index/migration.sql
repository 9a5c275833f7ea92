-- CreateIndex
CREATE INDEX "OrderAttribution_shop_createdAt_idx" ON "OrderAttribution"("shop", "createdAt");

