// Debian's redis-server on a free 127.0.0.1 port with its state in a temp dir, for integration and fault tests.
// `appendonly: true` (fsync on every write) lets a test restart it mid-run and find every accepted write again.
import { connect } from "node:net";
import { join } from "node:path";
import { type Daemon, freePort, makeTempDir, removeDir, startDaemon, waitUntil } from "./daemon.ts";

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly pid: number;
  // Stops the process (SIGTERM; SIGKILL with `hard`) and starts it again on the same port and dir.
  restart(options?: { hard?: boolean; downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(options: { appendonly?: boolean } = {}): Promise<RedisServer> {
  const dir = makeTempDir("redis");
  const port = await freePort();
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--save",
    "",
    "--daemonize",
    "no",
    "--protected-mode",
    "yes",
    ...(options.appendonly ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"]),
  ];
  const logFile = join(dir, "redis.log");
  let daemon: Daemon = await launch(args, logFile, port);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    get pid() {
      return daemon.pid;
    },
    async restart({ hard = false, downMs = 0 } = {}) {
      await (hard ? daemon.kill() : daemon.stop());
      if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
      daemon = await launch(args, logFile, port);
    },
    async stop() {
      await daemon.kill();
      removeDir(dir);
    },
  };
}

async function launch(args: string[], logFile: string, port: number): Promise<Daemon> {
  const daemon = startDaemon({ command: "redis-server", args, logFile });
  try {
    // Generous: it is up in milliseconds when the machine is idle, but tests must pass on a busy one too.
    await waitUntil("redis-server", () => ping(port), {
      timeoutMs: 60_000,
      gone: daemon.exited,
      describe: () => daemon.logTail(),
    });
  } catch (err) {
    await daemon.kill();
    throw err;
  }
  return daemon;
}

// True once the server answers PING with PONG (not -LOADING while it replays its append-only file).
export function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    let reply = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk.toString("latin1");
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
  });
}
