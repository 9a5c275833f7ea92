// Builds server/index.ts (the production HTTP server with the edge fast lane) into <build>/serve.js, next to
// the Remix server build it loads. `npm run build` runs it after `remix vite:build`; scripts/stack.ts too.
import path from "node:path";
import { build } from "esbuild";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

export async function buildServer(outDir = process.env.RP_BUILD_DIR || "build"): Promise<string> {
  const outfile = path.resolve(root, outDir, "serve.js");
  await build({
    entryPoints: [path.join(root, "server", "index.ts")],
    outfile,
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning",
  });
  return outfile;
}

if (process.argv[1] && path.resolve(process.argv[1]) === new URL(import.meta.url).pathname) {
  const out = await buildServer();
  console.log(`built ${path.relative(root, out)}`);
}
