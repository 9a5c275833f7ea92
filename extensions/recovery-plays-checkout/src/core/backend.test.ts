// @vitest-environment node
import { afterEach, describe, expect, test, vi } from "vitest";
import { APP_URL, customer, fakeBackend } from "../testing/fixtures";
import { buildTimeAppUrl, fetchProfile, sendEvents } from "./backend";

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
