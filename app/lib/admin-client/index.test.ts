import { describe, expect, it } from "vitest";
import { AdminApiError, createAdminClient, type AdminClientEvent, type GraphqlFn } from "./index";

/** Virtual clock: sleep advances time instantly. */
function virtualTime() {
  let t = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
    advance: (ms: number) => (t += ms),
  };
}

/** A fake Admin API with Shopify's leaky bucket: cost is taken up front, THROTTLED when it does not fit. */
function throttlingShop(clock: { now: () => number }, opts: { max?: number; rate?: number; cost?: number; startAt?: number } = {}) {
  const max = opts.max ?? 1000;
  const rate = opts.rate ?? 50;
  const cost = opts.cost ?? 100;
  let available = opts.startAt ?? max;
  let at = clock.now();
  const log = { calls: 0, throttled: 0 };
  const graphql: GraphqlFn = async () => {
    log.calls++;
    const t = clock.now();
    available = Math.min(max, available + ((t - at) / 1000) * rate);
    at = t;
    const status = () => ({ maximumAvailable: max, currentlyAvailable: available, restoreRate: rate });
    if (available < cost) {
      log.throttled++;
      return Response.json({
        errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }],
        extensions: { cost: { requestedQueryCost: cost, actualQueryCost: null, throttleStatus: status() } },
      });
    }
    available -= cost;
    return Response.json({ data: { ok: true }, extensions: { cost: { requestedQueryCost: cost, actualQueryCost: cost, throttleStatus: status() } } });
  };
  return { graphql, log };
}

describe("createAdminClient against a throttling shop", () => {
  it("GIVEN a burst larger than the bucket WHEN requests run THEN the client waits before the bucket runs dry and is never THROTTLED", async () => {
    const clock = virtualTime();
    const shop = throttlingShop(clock, { cost: 100, max: 1000, rate: 50 });
    const client = createAdminClient(shop.graphql, { now: clock.now, sleep: clock.sleep, random: () => 0.5, defaultCost: 100 });
    for (let i = 0; i < 30; i++) await client.request("query Q { shop { id } }");
    expect(shop.log.throttled).toBe(0);
    expect(shop.log.calls).toBe(30);
    // 3000 points at 50/s with a 1000-point head start: at least 40 s of virtual waiting.
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(40_000);
  });

  it("GIVEN a bucket already drained by someone else WHEN a request is THROTTLED THEN it waits for the refill and succeeds", async () => {
    const clock = virtualTime();
    const shop = throttlingShop(clock, { cost: 100, startAt: 0, rate: 50 });
    const events: AdminClientEvent[] = [];
    const client = createAdminClient(shop.graphql, { now: clock.now, sleep: clock.sleep, random: () => 0, onEvent: (e) => events.push(e) });
    const r = await client.request<{ ok: boolean }>("query Q { shop { id } }");
    expect(r.data.ok).toBe(true);
    expect(shop.log.throttled).toBe(1);
    const wait = events.find((e) => e.type === "wait" && e.reason === "throttled");
    expect(wait && wait.type === "wait" ? wait.ms : 0).toBeGreaterThanOrEqual(2000);
  });
});

describe("createAdminClient retries", () => {
  function flaky(statuses: number[]): { graphql: GraphqlFn; calls: () => number } {
    let i = 0;
    return {
      graphql: async () => {
        const s = statuses[i++] ?? 200;
        return s === 200 ? Response.json({ data: { ok: 1 } }) : new Response("oops", { status: s });
      },
      calls: () => i,
    };
  }

  it("GIVEN two 5xx answers WHEN requested THEN it retries with growing jittered delays and returns the data", async () => {
    const clock = virtualTime();
    const api = flaky([502, 503]);
    const client = createAdminClient(api.graphql, { now: clock.now, sleep: clock.sleep, random: () => 0.25, baseDelayMs: 100 });
    const r = await client.request("query { shop { id } }");
    expect(r.data).toEqual({ ok: 1 });
    expect(api.calls()).toBe(3);
    // equal jitter: cap/2 + 0.25·cap/2 with caps 100, 200
    expect(clock.sleeps).toEqual([63, 125]);
  });

  it("GIVEN different random draws WHEN backing off THEN the delays differ (jitter) but stay within the exponential step", async () => {
    const delays: number[] = [];
    for (const rnd of [0, 0.999]) {
      const clock = virtualTime();
      const client = createAdminClient(flaky([500]).graphql, { now: clock.now, sleep: clock.sleep, random: () => rnd, baseDelayMs: 1000 });
      await client.request("query { shop { id } }");
      delays.push(clock.sleeps[0]);
    }
    expect(delays[0]).toBeGreaterThanOrEqual(500);
    expect(delays[1]).toBeLessThanOrEqual(1000);
    expect(delays[0]).not.toBe(delays[1]);
  });

  it("GIVEN a shop that keeps failing WHEN attempts run out THEN an AdminApiError reports the last failure and the attempts", async () => {
    const clock = virtualTime();
    const client = createAdminClient(flaky([500, 500, 500, 500]).graphql, { now: clock.now, sleep: clock.sleep, maxAttempts: 3 });
    const err = await client.request("query { shop { id } }").catch((e) => e);
    expect(err).toBeInstanceOf(AdminApiError);
    expect(err).toMatchObject({ kind: "http", status: 500, attempts: 3 });
  });

  it("GIVEN a GraphQL error that is not throttling WHEN requested THEN it fails at once without retrying", async () => {
    let calls = 0;
    const graphql: GraphqlFn = async () => {
      calls++;
      return Response.json({ errors: [{ message: "Field 'nope' doesn't exist" }] });
    };
    const err = await createAdminClient(graphql, { sleep: async () => {} }).request("query { nope }").catch((e) => e);
    expect(err).toMatchObject({ kind: "graphql", retryable: false });
    expect(calls).toBe(1);
  });

  it("GIVEN a call that never answers WHEN the timeout passes THEN it is retried", async () => {
    let calls = 0;
    const graphql: GraphqlFn = () => {
      calls++;
      return calls === 1 ? new Promise<Response>(() => {}) : Promise.resolve(Response.json({ data: { ok: 2 } }));
    };
    const r = await createAdminClient(graphql, { timeoutMs: 20, sleep: async () => {} }).request("query { shop { id } }");
    expect(r.data).toEqual({ ok: 2 });
    expect(calls).toBe(2);
  });

  it("GIVEN the library throws a GraphqlQueryError carrying THROTTLED WHEN requested THEN it is treated as throttling and retried", async () => {
    let calls = 0;
    const graphql: GraphqlFn = async () => {
      calls++;
      if (calls === 1) {
        throw Object.assign(new Error("Throttled"), {
          body: {
            errors: { graphQLErrors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }] },
            extensions: { cost: { requestedQueryCost: 10, throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 0, restoreRate: 100 } } },
          },
        });
      }
      return Response.json({ data: { ok: 3 } });
    };
    const clock = virtualTime();
    const r = await createAdminClient(graphql, { now: clock.now, sleep: clock.sleep, random: () => 0 }).request("query { shop { id } }");
    expect(r.data).toEqual({ ok: 3 });
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(100);
  });

  it("GIVEN the library throws a Response (re-authentication) WHEN requested THEN the Response propagates untouched", async () => {
    const redirect = new Response(null, { status: 302 });
    const graphql: GraphqlFn = async () => {
      throw redirect;
    };
    await expect(createAdminClient(graphql).request("query { shop { id } }")).rejects.toBe(redirect);
  });
});
