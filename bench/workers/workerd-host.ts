// Runs the edge API's Worker in workerd through Miniflare's API, without wrangler dev: no wrangler Node process
// and no proxy workerd in front of it, so clients talk to the Worker's own workerd socket. Started as its own
// process by bench/workers/workerd.ts (startWorkerd), which passes everything through the environment:
//   BENCH_WORKERD_BUNDLE  the Worker as `wrangler deploy --dry-run --outdir` built it (the deployed bundle)
//   BENCH_WORKERD_PERSIST where R2, Queue and Durable Object state live (a folder in /dev/shm, or on the disk
//                         with BENCH_WORKERD_STATE=disk: workerd.ts workerdState)
//   BENCH_WORKERD_PORT    the port of Miniflare's entry worker (127.0.0.1), which workerd runs in front of the
//                         Worker: request.cf, CF-Connecting-IP, the local /cdn-cgi/ routes
//   BENCH_WORKERD_DIRECT_PORT  the port of a socket straight to the Worker (Miniflare's `unsafeDirectSockets`):
//                         no entry worker, as in production, where Cloudflare's front sets CF-Connecting-IP
//   BENCH_WORKERD_VARS    JSON object of vars and secrets, over wrangler.jsonc's vars
//   BENCH_WORKERD_INSPECTOR_PORT  optional: workerd's inspector (CDP), for a CPU profile of the Worker
// The bindings (R2 bucket, Queue producer and consumers with their batch settings and dead-letter queue, the
// Durable Object classes with their SQLite storage) come from wrangler.jsonc through wrangler's own
// `unstable_getMiniflareWorkerOptions`, the function @cloudflare/vitest-pool-workers uses, so they are what
// wrangler dev would give the Worker. Miniflare is the one wrangler itself runs (resolved through wrangler).
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const EDGE_API = join(import.meta.dirname, "..", "..", "apps", "edge-api");
const wranglerMain = createRequire(join(EDGE_API, "package.json")).resolve("wrangler");
const miniflareMain = createRequire(wranglerMain).resolve("miniflare");
const wrangler = await import(pathToFileURL(wranglerMain).href);
const { Miniflare, Log, LogLevel, convertV4MiniflareOptions } = await import(
  pathToFileURL(miniflareMain).href
);

const { workerOptions, externalWorkers } = wrangler.unstable_getMiniflareWorkerOptions(
  join(EDGE_API, "wrangler.jsonc"),
);
const vars = JSON.parse(process.env.BENCH_WORKERD_VARS ?? "{}") as Record<string, string>;
const inspector = process.env.BENCH_WORKERD_INSPECTOR_PORT;

// wrangler still describes a Worker in Miniflare 4's option shape; Miniflare converts it, as wrangler does.
const mf = new Miniflare(
  convertV4MiniflareOptions({
    host: "127.0.0.1",
    port: Number(env("BENCH_WORKERD_PORT")),
    ...(inspector ? { inspectorPort: Number(inspector) } : {}),
    resourcePersistencePath: env("BENCH_WORKERD_PERSIST"),
    log: new Log(LogLevel.WARN),
    workers: [
      {
        ...workerOptions,
        name: "qmk-edge-api",
        modulesRoot: env("BENCH_WORKERD_BUNDLE"),
        modules: [{ type: "ESModule", path: join(env("BENCH_WORKERD_BUNDLE"), "main.js") }],
        bindings: { ...workerOptions.bindings, ...vars },
        // A second socket of workerd's own, served by the Worker itself (its default entrypoint).
        unsafeDirectSockets: [{ host: "127.0.0.1", port: Number(env("BENCH_WORKERD_DIRECT_PORT")) }],
      },
      ...externalWorkers,
    ],
  }),
);
const url = await mf.ready;
process.stdout.write(
  `workerd serving ${url}, the Worker directly ${await mf.unsafeGetDirectURL("qmk-edge-api")}\n`,
);

const stop = async () => {
  await mf.dispose();
  process.exit(0);
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
