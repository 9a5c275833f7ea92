// Admin API faults injected by the dev store's switches: 5xx, a hung response (timeout) and THROTTLED. The app's
// Admin client (every Admin call goes through it) retries with backoff and resumes once the fault clears.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevStore, type DevStore } from "../../devstore/server";
import { createAdminClient, type AdminClientEvent } from "../../app/lib/admin-client";
import { devStoreAdmin } from "../helpers/devstore";

const API_KEY = "faults-key";
const API_SECRET = "faults-secret";
let store: DevStore;
let graphql: Awaited<ReturnType<typeof devStoreAdmin>>["graphql"];

beforeAll(async () => {
  store = await startDevStore({ port: 0, appUrl: "http://127.0.0.1:9", apiKey: API_KEY, apiSecret: API_SECRET, seed: 3, size: "test", quiet: true });
  ({ graphql } = await devStoreAdmin(store, API_KEY, API_SECRET));
});
afterAll(() => store.stop());

/**
 * Starts a request while the fault is on and clears the fault once the client has retried `clearAfterRetries`
 * times (not after a wall-clock delay: a throttled retry may wait only a few ms, and a loaded machine makes
 * timers late), then returns the outcome.
 */
async function throughFault(fault: Record<string, unknown>, clearAfterRetries: number, opts: Parameters<typeof createAdminClient>[1] = {}) {
  const events: AdminClientEvent[] = [];
  const onEvent = (e: AdminClientEvent) => {
    events.push(e);
    if (e.type === "retry" && events.filter((x) => x.type === "retry").length === clearAfterRetries) {
      store.setFaults({ adminStatus: null, adminDelayMs: 0, throttleAll: false });
    }
  };
  const client = createAdminClient(graphql, { baseDelayMs: 100, maxDelayMs: 400, maxAttempts: 8, onEvent, ...opts });
  store.setFaults(fault);
  const pending = client.request<{ shop: { name: string } }>(`query ShopName { shop { name } }`);
  const result = await pending;
  return { result, retries: events.filter((e) => e.type === "retry") };
}

describe("Admin API faults", () => {
  it("GIVEN the Admin API answers 500 for a while WHEN the app queries THEN it retries with backoff and gets the data", async () => {
    const { result, retries } = await throughFault({ adminStatus: 500 }, 2);
    expect(result.data.shop.name).toBeTruthy();
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.every((r) => r.type === "retry" && r.kind === "http")).toBe(true);
  });

  it("GIVEN the Admin API hangs WHEN the app queries THEN the call times out, is retried and resumes", async () => {
    const { result, retries } = await throughFault({ adminDelayMs: 2000 }, 1, { timeoutMs: 250 });
    expect(result.data.shop.name).toBeTruthy();
    expect(retries.some((r) => r.type === "retry" && r.kind === "timeout")).toBe(true);
  });

  it("GIVEN every request is THROTTLED for a while WHEN the app queries THEN it waits, retries and resumes", async () => {
    const { result, retries } = await throughFault({ throttleAll: true }, 3);
    expect(result.data.shop.name).toBeTruthy();
    expect(retries.some((r) => r.type === "retry" && r.kind === "throttled")).toBe(true);
  });
});
