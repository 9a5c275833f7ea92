// The checkout payment order (payment customization Function) state and toggle, as a resource route the VIP play's
// page calls with a fetcher. Guard: authenticate.admin (session token via App Bridge fetch).
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { readJsonBody } from "../models/adminData.server";
import { disablePayments, enablePayments, syncedPaymentsState } from "../models/paymentCustomization.server";
import { authenticate } from "../shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const { admin, session } = await authenticate.admin(request);
  try {
    return json({ ok: true as const, state: await syncedPaymentsState(session.shop, admin) });
  } catch (error) {
    return json({ ok: false as const, reason: "error" as const, message: error instanceof Error ? error.message : String(error) }, { status: 502 });
  }
}

export async function action({ request }: ActionFunctionArgs) {
  const { admin, session } = await authenticate.admin(request);
  let body: Record<string, unknown>;
  try {
    body = await readJsonBody(request, 16_000);
  } catch {
    return json({ ok: false as const, reason: "error" as const, message: "invalid JSON body" }, { status: 400 });
  }
  if (typeof body.enabled !== "boolean") return json({ ok: false as const, reason: "error" as const, message: "enabled must be a boolean" }, { status: 422 });
  const hide = Array.isArray(body.hide) ? body.hide.filter((s): s is string => typeof s === "string" && s.trim() !== "").slice(0, 20) : [];
  try {
    const result = body.enabled ? await enablePayments(session.shop, admin, hide) : await disablePayments(session.shop, admin);
    return json(result, { status: result.ok ? 200 : result.reason === "cap" ? 409 : 502 });
  } catch (error) {
    if (error instanceof Response) throw error;
    return json({ ok: false as const, reason: "error" as const, message: error instanceof Error ? error.message : String(error) }, { status: 502 });
  }
}
