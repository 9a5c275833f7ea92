import { beforeEach, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { databaseKind } from "../db.server";
import { resetDatabase } from "../../tests/helpers/db";
import { storeEvents, type StoredEvent } from "./events.server";
import { insertEvents } from "./ingest.server";

const SHOP = "ingest-test.myshopify.com";
const at = new Date("2026-03-04T05:06:07.089Z");

function sample(visitorId: string): StoredEvent[] {
  return [
    { type: "page_view", visitorId, pageType: "product", path: "/products/a", occurredAt: at },
    { type: "add_to_cart", visitorId, value: 19.5, occurredAt: new Date(at.getTime() + 1) },
    { type: "shown", visitorId, play: "vip", arm: "holdout", occurredAt: new Date(at.getTime() + 2) },
    { type: "engaged", visitorId: `${visitorId}-x`, customerId: "gid://shopify/Customer/42", play: "confidence", arm: "treatment", value: 3, occurredAt: at },
  ];
}

const comparable = (rows: { id: number; createdAt: Date; visitorId: string }[]) =>
  rows.map(({ id: _id, createdAt: _c, ...rest }) => ({ ...rest, visitorId: rest.visitorId.replace(/^(orm|raw)/, "") }));

describe("insertEvents", () => {
  beforeEach(resetDatabase);

  it("GIVEN the same batch WHEN stored by insertEvents and by storeEvents THEN the rows read back identical", async () => {
    expect(await storeEvents(SHOP, sample("orm-visitor"), { customerId: "7" })).toBe(4);
    expect(await insertEvents(SHOP, sample("raw-visitor"), "7")).toBe(4);
    const orm = await prisma.event.findMany({ where: { visitorId: { startsWith: "orm" } }, orderBy: { id: "asc" } });
    const raw = await prisma.event.findMany({ where: { visitorId: { startsWith: "raw" } }, orderBy: { id: "asc" } });
    expect(comparable(raw)).toEqual(comparable(orm));
    expect(raw.every((r) => Math.abs(r.createdAt.getTime() - Date.now()) < 60_000)).toBe(true);
  });

  it("GIVEN rows from both paths WHEN their stored date text is compared THEN the formats match (range queries stay exact)", async () => {
    await storeEvents(SHOP, sample("orm-visitor").slice(0, 1));
    await insertEvents(SHOP, sample("raw-visitor").slice(0, 1), null);
    const cast = databaseKind() === "postgres" ? `"occurredAt"::text` : `CAST("occurredAt" AS TEXT)`;
    const castC = databaseKind() === "postgres" ? `"createdAt"::text` : `CAST("createdAt" AS TEXT)`;
    const url = process.env.DATABASE_URL ?? "";
    const table = databaseKind() === "postgres" ? `"${new URL(url).searchParams.get("schema") ?? "public"}"."Event"` : `"Event"`;
    const rows = await prisma.$queryRawUnsafe<{ o: string; c: string }[]>(`SELECT ${cast} AS o, ${castC} AS c FROM ${table} ORDER BY "id"`);
    expect(rows[1].o).toBe(rows[0].o);
    const shape = (s: string) => s.replace(/\d/g, "9");
    expect(shape(rows[1].c)).toBe(shape(rows[0].c));
  });

  it("GIVEN a batch over the limit WHEN inserted THEN it is refused and nothing is stored", async () => {
    const big = Array.from({ length: 101 }, () => sample("raw-visitor")[0]);
    await expect(insertEvents(SHOP, big, null)).rejects.toThrow(RangeError);
    expect(await prisma.event.count()).toBe(0);
  });
});
