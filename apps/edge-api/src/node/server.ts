// The Node server's lifecycle: listen, then close in order (stop accepting, end long polls, wait for requests
// in flight, close Redis), on a call or on SIGTERM/SIGINT. node/main.ts wires what it serves.
import type { Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type Http2Bindings, type HttpBindings, serve } from "@hono/node-server";
import type { Hono } from "hono";
import type { RedisDispatcher } from "../adapters/dispatcher/redis/dispatcher.ts";
import type { AppEnv, Deps } from "../deps.ts";
import { answerClientErrorsWithJson } from "./client-errors.ts";
import { attachIncomingBody } from "./incoming-body.ts";

export interface NodeServer {
  url: string;
  port: number;
  dispatcher: RedisDispatcher;
  deps: Deps;
  // Stops accepting, ends long polls (they answer 204), waits for requests in flight, then closes Redis.
  close(): Promise<void>;
}

export interface Served {
  app: Hono<AppEnv>;
  deps: Deps;
  dispatcher: RedisDispatcher;
  host: string;
  port: number;
  // null: no reaper in this process (tests reap by hand).
  reaperIntervalMs: number | null;
  // Closes what the app was wired with (Redis), after the last request.
  closeDeps(): Promise<void>;
}

export async function listen(served: Served): Promise<NodeServer> {
  const { dispatcher } = served;
  const stopReaper =
    served.reaperIntervalMs === null
      ? () => {}
      : dispatcher.startReaper(served.reaperIntervalMs, (err) => console.error("lease reaper:", err));
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const fetch = (request: Request, env: HttpBindings | Http2Bindings) =>
      served.app.fetch(attachIncomingBody(request, env.incoming), env);
    // A port that cannot be had (taken, privileged) rejects, for main.ts to name; later errors stay the server's.
    const s = serve({ fetch, port: served.port, hostname: served.host }, () => {
      s.off("error", reject);
      resolve(s);
    });
    s.once("error", reject);
  }).catch(async (err) => {
    stopReaper();
    await served.closeDeps();
    throw err;
  });
  answerClientErrorsWithJson(server as HttpServer);
  const { port } = server.address() as AddressInfo;
  const host = served.host.includes(":") ? `[${served.host}]` : served.host;
  return {
    url: `http://${host}:${port}`,
    port,
    dispatcher,
    deps: served.deps,
    async close() {
      stopReaper();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      dispatcher.interruptWaits();
      // Keep-alive sockets that go idle after close() would otherwise linger until their timeout.
      const http = server as HttpServer;
      const idle = setInterval(() => http.closeIdleConnections(), 50);
      const force = setTimeout(() => http.closeAllConnections(), 10_000);
      await closed;
      clearInterval(idle);
      clearTimeout(force);
      await served.closeDeps();
    },
  };
}

// SIGTERM / SIGINT: finish the requests in flight, then exit (1 when the shutdown itself failed).
export function closeOnSignals(server: NodeServer): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`qmk-edge: ${signal}, finishing requests in flight`);
    server.close().then(
      () => process.exit(0),
      (err) => {
        console.error("qmk-edge: shutdown failed:", err);
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}
