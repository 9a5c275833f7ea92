// Simulation: 20,000 visitor journeys with a known true lift for one play and none for another go through the
// real pipeline — signed ids and server arms (visitors.server) → parseEventBatch → the ingest gate
// (checkVisitorEvents) → storeEvents → attributeOrder (`_rp_vid`) → rollupEvents → playReport — on the test
// database. The shop key and the nonces are fixed, so the arms (keyed hashes) and the run are reproducible.
// Then two attacks: 1,000,000 made-up visitors padding both arms, and arms forged past the gate.
import { beforeAll, describe, expect, it } from "vitest";
import prisma from "../db.server";
import { defaultSettings } from "../lib/plays/defaults";
import type { PlayAttribution } from "../lib/stats/attribution";
import { playReport, type PlayReport } from "./analytics.server";
import { attributeOrder } from "./attribution.server";
import { parseEventBatch, storeEvents, type StoredEvent } from "./events.server";
import { rollupEvents } from "./rollup.server";
import { armWithKey, checkVisitorEvents, forgetVisitorKeys, verifyVisitorIdWithKey } from "./visitors.server";
import { createHmac } from "node:crypto";
import { mulberry32 } from "../lib/stats/random";

const SHOP = "simulation.myshopify.com";
const VISITORS = 20_000;
const HOLDOUT_PERCENT = 10;
/** The play with a real effect: 4 % of holdout visitors order, 6 % of treated ones (+50 %, +2 points). */
const LIFT_PLAY = "confidence" as const;
const HOLDOUT_RATE = 0.04;
const TREATMENT_RATE = 0.06;
/** The play with no effect: its arms convert at whatever rate the visitor has anyway. */
const NULL_PLAY = "indecision" as const;
const START = Date.UTC(2026, 2, 1);
const DAYS = 3;
const NOW = new Date(START + DAYS * 86_400_000);

interface Truth {
  converted: number;
  treatedLift: number;
}

let truth: Truth;
let converters = 0;

const KEY = Buffer.from("5e".repeat(32), "hex");
/** A signed id as visitors.server issues it, with a nonce from the seeded generator instead of randomBytes. */
function signedId(rand: () => number): string {
  const nonce = Buffer.from(Array.from({ length: 16 }, () => Math.floor(rand() * 256))).toString("base64url");
  const tag = createHmac("sha256", KEY).update(`vid:${nonce}`).digest().subarray(0, 16).toString("base64url");
  return `${nonce}.${tag}`;
}

async function simulate(): Promise<void> {
  forgetVisitorKeys();
  await prisma.shop.create({ data: { shop: SHOP, visitorSecret: KEY.toString("hex") } });
  for (const play of [LIFT_PLAY, NULL_PLAY]) {
    await prisma.playConfig.create({ data: { shop: SHOP, play, enabled: true, settings: JSON.stringify({ ...defaultSettings(play), holdoutPercent: HOLDOUT_PERCENT }) } });
  }
  const rand = mulberry32(9);
  const pending: StoredEvent[] = [];
  const orders: { visitorId: string; at: number; plays: PlayAttribution[]; total: number }[] = [];
  let treatedLift = 0;
  const flush = async () => {
    while (pending.length) await storeEvents(SHOP, pending.splice(0, 100));
  };

  for (let i = 0; i < VISITORS; i++) {
    const visitorId = signedId(rand);
    if (!verifyVisitorIdWithKey(KEY, visitorId)) throw new Error("simulation id does not verify");
    let t = START + Math.floor((i / VISITORS) * (DAYS - 0.1) * 86_400_000);
    const step = () => (t += 5_000 + Math.floor(rand() * 60_000));
    const armA = armWithKey(KEY, visitorId, LIFT_PLAY, HOLDOUT_PERCENT);
    const armB = armWithKey(KEY, visitorId, NULL_PLAY, HOLDOUT_PERCENT);
    const body: { type: string; play?: string; arm?: string; path?: string; pageType?: string; occurredAt: number }[] = [
      { type: "page_view", pageType: "product", path: "/products/tee", occurredAt: step() },
      { type: "add_to_cart", pageType: "product", occurredAt: step() },
      { type: "eligible", play: LIFT_PLAY, arm: armA, pageType: "cart", occurredAt: step() },
      { type: "eligible", play: NULL_PLAY, arm: armB, pageType: "cart", occurredAt: step() },
    ];
    // One intervention at a time: the lift play has priority; holdout visitors are shown nothing.
    const plays: PlayAttribution[] = [
      { play: LIFT_PLAY, arm: armA, status: "eligible" },
      { play: NULL_PLAY, arm: armB, status: "eligible" },
    ];
    if (armA === "treatment") {
      body.push({ type: "shown", play: LIFT_PLAY, arm: armA, pageType: "cart", occurredAt: step() });
      plays[0].status = "shown";
      if (rand() < 0.3) body.push({ type: "engaged", play: LIFT_PLAY, arm: armA, pageType: "cart", occurredAt: step() });
    } else if (armB === "treatment") {
      body.push({ type: "shown", play: NULL_PLAY, arm: armB, pageType: "cart", occurredAt: step() });
      plays[1].status = "shown";
    }
    const parsed = parseEventBatch({ visitorId, events: body }, NOW);
    if (!parsed.success) throw new Error(JSON.stringify(parsed.issues));
    const gate = await checkVisitorEvents(SHOP, visitorId, parsed.events);
    if (!gate.ok) throw new Error(`honest batch refused: ${gate.reason}`);
    pending.push(...parsed.events);

    const p = armA === "treatment" ? TREATMENT_RATE : HOLDOUT_RATE;
    if (armA === "treatment") treatedLift += TREATMENT_RATE - HOLDOUT_RATE;
    if (rand() < p) {
      body.push({ type: "checkout_started", occurredAt: step() });
      orders.push({ visitorId, at: step(), plays, total: Math.round((40 + rand() * 80) * 100) / 100 });
    }
    if (pending.length >= 100) await flush();
    // Halfway, the scheduled rollup runs while traffic continues; orders arrive before and after it.
    if (i === VISITORS / 2) {
      await flush();
      await rollupEvents(SHOP, { settleMs: 0 });
    }
  }
  await flush();

  for (const [n, o] of orders.entries()) {
    const r = await attributeOrder(
      SHOP,
      {
        id: 5_000_000 + n,
        created_at: new Date(o.at).toISOString(),
        total_price: o.total.toFixed(2),
        // Only the pointer: the plays come from the exposures the server recorded.
        note_attributes: [{ name: "_rp_vid", value: o.visitorId }],
      },
      { bundleDiscountTitles: [] },
    );
    if (r.status !== "attributed") throw new Error(`order ${n} not attributed: ${r.status}`);
  }
  await rollupEvents(SHOP, { settleMs: 0 });
  converters = orders.length;
  truth = { converted: orders.length, treatedLift };
}

const range = { from: new Date(START), to: new Date(START + (DAYS - 1) * 86_400_000) };
let designed: PlayReport;
let defaults: PlayReport;

beforeAll(async () => {
  await simulate();
  // The experiment was designed to detect a +50 % lift; the default plan (+20 %) needs more visitors.
  designed = await playReport(SHOP, range, { minimumDetectableLift: 0.5 });
  defaults = await playReport(SHOP, range);
}, 600_000);

describe("measurement simulation: 20,000 journeys, +50 % true lift on one play, none on the other", () => {
  it("GIVEN every journey WHEN reported THEN each play counts every visitor once and every order exactly", () => {
    for (const play of [LIFT_PLAY, NULL_PLAY]) {
      const row = designed.plays.find((p) => p.play === play)!;
      expect(row.treatment.eligible + row.holdout.eligible).toBe(VISITORS);
      expect(row.treatment.ordered + row.holdout.ordered).toBe(truth.converted);
    }
  });

  it("GIVEN the lift play WHEN reported THEN the true +50 % lies in the relative-lift interval and +2 points in the difference interval", () => {
    const a = designed.plays.find((p) => p.play === LIFT_PLAY)!.analysis;
    const trueRelative = TREATMENT_RATE / HOLDOUT_RATE - 1;
    expect(a.relativeLift!.lower).toBeLessThanOrEqual(trueRelative);
    expect(a.relativeLift!.upper).toBeGreaterThanOrEqual(trueRelative);
    expect(a.difference.lower).toBeLessThanOrEqual(TREATMENT_RATE - HOLDOUT_RATE);
    expect(a.difference.upper).toBeGreaterThanOrEqual(TREATMENT_RATE - HOLDOUT_RATE);
  });

  it("GIVEN the lift play WHEN reported THEN the true incremental orders lie in their interval", () => {
    const a = designed.plays.find((p) => p.play === LIFT_PLAY)!.analysis;
    expect(a.incrementalOrders.lower).toBeLessThanOrEqual(truth.treatedLift);
    expect(a.incrementalOrders.upper).toBeGreaterThanOrEqual(truth.treatedLift);
  });

  it("GIVEN the lift play and the design's +50 % MDE WHEN reported THEN it is called 'working'", () => {
    expect(designed.plays.find((p) => p.play === LIFT_PLAY)!.analysis.verdict).toBe("working");
  });

  it("GIVEN the zero-lift play WHEN reported under either plan THEN it is never called 'working'", () => {
    for (const report of [designed, defaults]) {
      const a = report.plays.find((p) => p.play === NULL_PLAY)!.analysis;
      expect(["not_working", "not_enough_data"]).toContain(a.verdict);
      expect(a.difference.lower).toBeLessThanOrEqual(0);
      expect(a.difference.upper).toBeGreaterThanOrEqual(0);
    }
  });

  it("GIVEN the zero-lift play past its planned sample WHEN reported THEN it is 'not working'", () => {
    const a = designed.plays.find((p) => p.play === NULL_PLAY)!.analysis;
    expect(a.progress).toBe(1);
    expect(a.verdict).toBe("not_working");
  });

  it("GIVEN the default +20 % plan WHEN reported THEN 20,000 visitors are not enough to call either play", () => {
    for (const play of [LIFT_PLAY, NULL_PLAY]) {
      const a = defaults.plays.find((p) => p.play === play)!.analysis;
      expect(a.verdict).toBe("not_enough_data");
      expect(a.plan.required.holdout).toBeGreaterThan(defaults.plays.find((p) => p.play === play)!.holdout.eligible);
    }
    expect(converters).toBeGreaterThan(0);
  });
});

describe("measurement simulation under attack", () => {
  it("GIVEN 1,000,000 made-up visitors padding both arms WHEN they reach the ingest gate THEN every batch is refused and no verdict changes", async () => {
    const rand = mulberry32(77);
    const b64 = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256))).toString("base64url");
    let refused = 0;
    for (let i = 0; i < 1_000_000; i++) {
      // Well-formed ids (the costliest case: the tag is computed and compared), half claiming each arm.
      const arm = i % 2 ? "treatment" : "holdout";
      const gate = await checkVisitorEvents(SHOP, `${b64(16)}.${b64(16)}`, [{ play: LIFT_PLAY, arm }, { play: NULL_PLAY, arm }]);
      if (!gate.ok && gate.reason === "unsigned_visitor") refused++;
    }
    expect(refused).toBe(1_000_000);
    await rollupEvents(SHOP, { settleMs: 0 });
    const after = await playReport(SHOP, range, { minimumDetectableLift: 0.5 });
    expect(after.plays.map((p) => [p.play, p.analysis.verdict, p.treatment.eligible, p.holdout.eligible])).toEqual(
      designed.plays.map((p) => [p.play, p.analysis.verdict, p.treatment.eligible, p.holdout.eligible]),
    );
  }, 300_000);

  it("GIVEN signed visitors claiming the arm they were not assigned WHEN they reach the gate THEN every batch is refused", async () => {
    const rand = mulberry32(78);
    let refused = 0;
    for (let i = 0; i < 2_000; i++) {
      const id = signedId(rand);
      const forged = armWithKey(KEY, id, LIFT_PLAY, HOLDOUT_PERCENT) === "treatment" ? "holdout" : "treatment";
      const gate = await checkVisitorEvents(SHOP, id, [{ play: LIFT_PLAY, arm: forged }]);
      if (!gate.ok && gate.reason === "forged_arm") refused++;
    }
    expect(refused).toBe(2_000);
  });

  it("GIVEN arms forged past the gate (3,000 visitors all stored as treated) WHEN reported THEN the sample-ratio check calls a data quality problem", async () => {
    const rand = mulberry32(79);
    const at = START + 86_400_000;
    for (let i = 0; i < 3_000; i += 100) {
      const batch: StoredEvent[] = [];
      for (let j = 0; j < 100; j++) batch.push({ type: "eligible", play: LIFT_PLAY, arm: "treatment", visitorId: signedId(rand), occurredAt: new Date(at + i + j) });
      await storeEvents(SHOP, batch);
    }
    await rollupEvents(SHOP, { settleMs: 0 });
    const a = (await playReport(SHOP, range, { minimumDetectableLift: 0.5 })).plays.find((p) => p.play === LIFT_PLAY)!.analysis;
    expect(a.verdict).toBe("data_quality");
    expect(a.sampleRatio.pValue).toBeLessThan(0.001);
    expect(a.relativeLift).toBeNull();
  });
});
