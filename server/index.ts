// Production HTTP server (`npm start`, `npm run demo`, the e2e tests and the benchmarks): the same stack as
// remix-serve — compression, immutable fingerprinted assets, public/, a request log, the Remix handler — with
// the storefront/checkout fast lane in front of it (server/fast-lane.ts). Built by scripts/build-server.ts into
// <build>/serve.js, next to the Remix server build it loads. PORT (default 3000) and HOST as for remix-serve.
import http from "node:http";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import compression from "compression";
import express from "express";
import { createRequestHandler } from "@remix-run/express";
import { installGlobals, type ServerBuild } from "@remix-run/node";
import { createFastLane, fastRoutes, type BuildRoutes } from "./fast-lane";
import { accessLog } from "./access-log";

process.env.NODE_ENV ??= "production";
const buildRoot = path.dirname(fileURLToPath(import.meta.url));
const build = (await import(pathToFileURL(path.join(buildRoot, "server", "index.js")).href)) as ServerBuild;
installGlobals({ nativeFetch: build.future.v3_singleFetch });

const app = express();
app.disable("x-powered-by");
app.use(compression());
app.use(build.publicPath, express.static(build.assetsBuildDirectory, { immutable: true, maxAge: "1y" }));
app.use(express.static("public", { maxAge: "1h" }));
// The request log writes paths and parameter names only (server/access-log.ts).
app.use(accessLog());
app.all("*", createRequestHandler({ build, mode: process.env.NODE_ENV }));

// ROLE=worker runs the background jobs only (the Remix build's entry starts them): no HTTP listener.
const role = process.env.ROLE || "all";
const stopJobs = async () => {
  const jobs = (globalThis as { __recoveryPlaysJobs?: { stop(): Promise<void> } }).__recoveryPlaysJobs;
  await jobs?.stop().catch(() => undefined);
};

if (role === "worker") {
  console.log(`[recovery-plays] worker: background jobs only`);
  setInterval(() => undefined, 1 << 30);
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      setTimeout(() => process.exit(0), 25_000).unref();
      void stopJobs().then(() => process.exit(0));
    });
  }
} else {
  // RP_FAST_LANE=0 sends everything through Express + Remix (to compare the two).
  const lane = process.env.RP_FAST_LANE === "0" ? () => false : createFastLane(fastRoutes(build as unknown as BuildRoutes));
  const server = http.createServer((req, res) => {
    if (!lane(req, res)) app(req, res);
  });

  const port = Number(process.env.PORT || 3000);
  const host = process.env.HOST || undefined;
  server.listen(port, host, () => console.log(`[recovery-plays] http://${host ?? "localhost"}:${port}`));
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      // Finish the requests in flight and let running jobs end, then exit.
      let pending = 2;
      const done = () => --pending === 0 && process.exit(0);
      server.close(done);
      server.closeIdleConnections();
      void stopJobs().then(done);
      setTimeout(() => process.exit(0), 25_000).unref();
    });
  }
}
