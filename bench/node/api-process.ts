// The Node edge API as a child process of the benchmark, so its CPU time (process.cpuUsage, user + system,
// every thread) is the API's alone: the load generator and fake agents run in the parent. Also serves the
// framework floor, a static JSON route on a bare Hono app with the same server adapter, on a second port.
// Configured by the environment like `npm run serve:node`; answers { cpu } on IPC.
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import { loadNodeConfig } from "@qmk-edge/edge-api/src/node/config.ts";
import { startNodeServer } from "@qmk-edge/edge-api/src/node/main.ts";
import { Hono } from "hono";

const server = await startNodeServer(loadNodeConfig(process.env));
const floorApp = new Hono();
const FLOOR_BODY = { status: "ok", service: "qmk-edge", version: "floor" };
floorApp.get("/floor", (c) => c.json(FLOOR_BODY));
const floorPort = await new Promise<number>((resolve) => {
  const s = serve({ fetch: floorApp.fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve(info.port));
  void s;
});

export interface ApiProcessReady {
  url: string;
  floorUrl: string;
}
export interface CpuReply {
  cpuMicros: number;
  userMicros: number;
  redisConnections: number;
}

// BENCH_API_PROFILE=<dir>: a CPU profile of the API between profile-start and profile-stop (one phase).
const profiling = process.env.BENCH_API_PROFILE ? new Session() : null;
profiling?.connect();
const post = (method: string) =>
  new Promise<unknown>((resolve, reject) =>
    profiling?.post(method, (err, result) => (err ? reject(err) : resolve(result))),
  );

process.on("message", async (msg: { cmd: string }) => {
  if (msg.cmd === "profile-start" && profiling) {
    await post("Profiler.enable");
    await post("Profiler.start");
  } else if (msg.cmd === "profile-stop" && profiling) {
    const { profile } = (await post("Profiler.stop")) as { profile: unknown };
    writeFileSync(
      join(process.env.BENCH_API_PROFILE!, `api-${Date.now()}.cpuprofile`),
      JSON.stringify(profile),
    );
  } else if (msg.cmd === "cpu") {
    const u = process.cpuUsage();
    process.send?.({ cpuMicros: u.user + u.system, userMicros: u.user } satisfies Partial<CpuReply>);
  } else if (msg.cmd === "stop") {
    await server.close();
    process.exit(0);
  }
});
// The bench that forked it is gone (Ctrl-C, a crash): so is this process.
process.once("disconnect", () => process.exit(0));
process.send?.({ url: server.url, floorUrl: `http://127.0.0.1:${floorPort}` } satisfies ApiProcessReady);
