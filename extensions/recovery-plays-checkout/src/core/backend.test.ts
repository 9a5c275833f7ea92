// @vitest-environment node
import { afterEach, describe, expect, test, vi } from "vitest";
import { APP_URL, customer, fakeBackend, serverVisitor, VISITOR_ID } from "../testing/fixtures";
import { buildTimeAppUrl, fetchProfile, fetchProfileResult, sendEvents } from "./backend";

const deps = (fetchImpl: typeof fetch, appUrl: string | undefined = APP_URL) => ({
  appUrl,
  getToken: async () => "jwt",
  fetch: fetchImpl,
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

describe("fetchProfile", () => {
  test("GIVEN the backend answers a customer WHEN fetched THEN returns it, sent with the bearer token", async () => {
    const backend = fakeBackend(customer({ segment: "CHAMPIONS" }));

    expect(await fetchProfile(deps(backend.fetch))).toMatchObject({ segment: "CHAMPIONS" });
    expect(backend.calls[0]).toMatchObject({ url: `${APP_URL}/api/checkout/profile`, authorization: "Bearer jwt" });
  });

  test("GIVEN a malformed body WHEN fetched THEN returns null", async () => {
    const fetchImpl = (async () => Response.json({ customer: { segment: 1 } })) as unknown as typeof fetch;

    expect(await fetchProfile(deps(fetchImpl))).toBeNull();
  });

  test("GIVEN the token cannot be obtained WHEN fetched THEN returns null without calling the backend", async () => {
    const backend = fakeBackend(customer());

    expect(await fetchProfile({ ...deps(backend.fetch), getToken: () => Promise.reject(new Error("no token")) })).toBeNull();
    expect(backend.calls).toHaveLength(0);
  });

  test("GIVEN a hanging backend WHEN the timeout passes THEN resolves null and aborts the request", async () => {
    vi.useFakeTimers();
    let aborted = false;
    const fetchImpl = ((_: unknown, init?: RequestInit) =>
      new Promise((_r, reject) => init?.signal?.addEventListener("abort", () => { aborted = true; reject(new Error("abort")); }))) as unknown as typeof fetch;

    const result = fetchProfile(deps(fetchImpl), 1500);
    await vi.advanceTimersByTimeAsync(1500);

    expect(await result).toBeNull();
    expect(aborted).toBe(true);
  });
});

describe("fetchProfileResult", () => {
  test("GIVEN the cart's signed _rp_vid WHEN asked THEN sends it as ?vid= and returns the app's visitor and arms", async () => {
    const backend = fakeBackend(null, { visitor: serverVisitor({ confidence: "holdout" }) });

    const answer = await fetchProfileResult(deps(backend.fetch), VISITOR_ID);

    expect(backend.calls[0].url).toBe(`${APP_URL}/api/checkout/profile?vid=${encodeURIComponent(VISITOR_ID)}`);
    expect(answer).toMatchObject({ ok: true, profile: null, visitor: { id: VISITOR_ID, arms: { confidence: "holdout" } } });
  });

  test("GIVEN no id, or one the app cannot have signed WHEN asked THEN no ?vid= is sent (the app issues an id)", async () => {
    const backend = fakeBackend(null);

    await fetchProfileResult(deps(backend.fetch), undefined);
    await fetchProfileResult(deps(backend.fetch), "ct_tok123");

    expect(backend.calls.map((c) => c.url)).toEqual([`${APP_URL}/api/checkout/profile`, `${APP_URL}/api/checkout/profile`]);
  });

  test("GIVEN an answer without a visitor WHEN asked THEN it is not a usable answer (no arm, nothing cached)", async () => {
    const backend = fakeBackend(customer(), { visitor: null });

    expect(await fetchProfileResult(deps(backend.fetch), VISITOR_ID)).toMatchObject({ ok: false, visitor: null });
  });
});

describe("sendEvents", () => {
  test("GIVEN events WHEN sent THEN POSTs the visitor id and events and reports acceptance", async () => {
    const backend = fakeBackend(null);

    const accepted = await sendEvents(deps(backend.fetch), "v1", [{ type: "shown", play: "vip", arm: "treatment", ts: 1 }]);

    expect(accepted).toBe(true);
    expect(backend.calls[0]).toMatchObject({
      method: "POST",
      body: { visitorId: "v1", events: [{ type: "shown", play: "vip", arm: "treatment", ts: 1 }] },
    });
  });

  test("GIVEN the network fails WHEN sent THEN resolves false instead of throwing", async () => {
    const fetchImpl = (() => Promise.reject(new TypeError("offline"))) as unknown as typeof fetch;

    await expect(sendEvents(deps(fetchImpl), "v1", [{ type: "shown", play: "vip", arm: "treatment", ts: 1 }])).resolves.toBe(false);
  });
});

describe("buildTimeAppUrl", () => {
  test("GIVEN APP_URL with a trailing slash WHEN read THEN returns the bare origin", () => {
    vi.stubEnv("APP_URL", "https://app.example/");

    expect(buildTimeAppUrl()).toBe("https://app.example");
  });

  test("GIVEN a non-http APP_URL WHEN read THEN there is no backend", () => {
    vi.stubEnv("APP_URL", "javascript:alert(1)");

    expect(buildTimeAppUrl()).toBeUndefined();
  });
});
