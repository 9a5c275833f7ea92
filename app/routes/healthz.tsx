import { json } from "@remix-run/node";
import prisma from "../db.server";

// Liveness + database readiness for load balancers. Guard: public, returns no shop data.
export const loader = async () => {
  try {
    await prisma.$queryRawUnsafe("SELECT 1");
    return json({ ok: true });
  } catch {
    return json({ ok: false, error: "database unavailable" }, { status: 503 });
  }
};
