// Test support: visitor ids signed with a shop's key, as the profile endpoint issues them.
import prisma from "../../app/db.server";
import { issueVisitor, signNewVisitorId, visitorKey } from "../../app/models/visitors.server";

/** A signed visitor id for `shop` (its Shop row is created when missing). */
export async function signedVisitorFor(shop: string): Promise<string> {
  await prisma.shop.upsert({ where: { shop }, create: { shop }, update: {} });
  const key = await visitorKey(shop);
  if (!key) throw new Error(`no visitor key for ${shop}`);
  return signNewVisitorId(key);
}

/** A signed visitor id for `shop` with its server arms (what the profile endpoint answers). */
export async function issuedVisitorFor(shop: string) {
  await prisma.shop.upsert({ where: { shop }, create: { shop }, update: {} });
  const visitor = await issueVisitor(shop);
  if (!visitor) throw new Error(`no visitor key for ${shop}`);
  return visitor;
}
