// A thin, bounded wrapper around autocannon (loopback load generator): every run is capped in time and in
// request count, and every response's latency (any status) is kept so exact percentiles can be computed.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** The subset of autocannon's request options the benches use. */
export interface LoadRequest {
  method?: "GET" | "POST" | "OPTIONS";
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Called before every request (context is per request when `requests` has one entry). */
  setupRequest?: (req: LoadRequest, context: Record<string, unknown>) => LoadRequest;
  onResponse?: (status: number, body: string, context: Record<string, unknown>) => void;
}

interface AutocannonResult {
  requests: { total: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
  statusCodeStats: Record<string, { count: number }>;
}

interface AutocannonInstance {
  on(event: "response", fn: (client: unknown, status: number, bytes: number, ms: number) => void): void;
  on(event: "reqError", fn: (err: Error) => void): void;
  on(event: "done", fn: (r: AutocannonResult) => void): void;
  stop(): void;
}

type Autocannon = (opts: Record<string, unknown>, cb: (err: Error | null, r: AutocannonResult) => void) => AutocannonInstance;
const autocannon = require("autocannon") as Autocannon;

export interface LoadOptions {
  url: string;
  /** Seconds. */
  duration: number;
  /** Hard cap on requests (the run stops at whichever bound comes first). */
  maxRequests?: number;
  connections?: number;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  requests?: LoadRequest[];
  /** Per-request timeout, seconds. */
  timeout?: number;
  /** Called at each transport error (no response at all), when it happens. */
  onTransportError?: (err: Error) => void;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  /** Socket errors + timeouts (no response at all). */
  transportErrors: number;
  timeouts: number;
  statuses: Record<string, number>;
  latencyMs: { p50: number; p95: number; p99: number; max: number; mean: number };
}

export function percentile(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function summarize(latencies: number[]): LoadResult["latencyMs"] {
  const s = Float64Array.from(latencies).sort();
  const mean = s.length ? s.reduce((a, b) => a + b, 0) / s.length : 0;
  const r = (v: number) => Math.round(v * 100) / 100;
  return { p50: r(percentile(s, 50)), p95: r(percentile(s, 95)), p99: r(percentile(s, 99)), max: r(s[s.length - 1] ?? 0), mean: r(mean) };
}

export function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const instance = autocannon(
      {
        url: opts.url,
        duration: opts.duration,
        maxOverallRequests: opts.maxRequests,
        connections: opts.connections ?? 16,
        pipelining: 1,
        timeout: opts.timeout ?? 10,
        method: opts.method ?? "GET",
        headers: opts.headers,
        body: opts.body,
        requests: opts.requests,
      },
      (err, r) => {
        if (err) return reject(err);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        const statuses: Record<string, number> = {};
        for (const [code, { count }] of Object.entries(r.statusCodeStats ?? {})) statuses[code] = count;
        const requests = latencies.length;
        resolve({
          requests,
          seconds: Math.round(seconds * 100) / 100,
          rps: Math.round(requests / seconds),
          transportErrors: r.errors,
          timeouts: r.timeouts,
          statuses,
          latencyMs: summarize(latencies),
        });
      },
    );
    instance.on("response", (_client, _status, _bytes, ms) => {
      latencies.push(ms);
    });
    if (opts.onTransportError) instance.on("reqError", opts.onTransportError);
    // Belt and braces: never let a stuck run outlive its time bound.
    const guard = setTimeout(() => instance.stop(), (opts.duration + 15) * 1000);
    instance.on("done", () => clearTimeout(guard));
  });
}
