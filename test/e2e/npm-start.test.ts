// `npm start` as a user runs it, stopped the ways a user or a machine stops it: Ctrl-C (SIGINT to the
// terminal's process group), SIGTERM to npm alone (a supervisor, `kill`), a closed terminal (SIGHUP, nobody left
// to read the output), and scripts/start.ts itself SIGKILLed. Every process it started must go, the agent
// after a clean shutdown. Each run gets its own port and QMK_EDGE_WORK; they run side by side.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, type ExpectStatic, test } from "vitest";
import { freePort, makeTempDir, removeDir, tailOf, waitUntil } from "../servers/daemon.ts";
import { killAll, type Proc, processTree, stillRunning } from "../support/process-tree.ts";
import { REPO_ROOT } from "../support/system.ts";

interface Started {
  npm: ChildProcess;
  tree: Proc[];
  work: string;
  output: () => string;
}

async function npmStart(name: string): Promise<Started> {
  const work = makeTempDir(`npm-start-${name}`);
  const npm = spawn("npm", ["start"], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: String(await freePort()),
      INSPECTOR_PORT: String(await freePort()),
      QMK_EDGE_WORK: work,
      NO_UPDATE_NOTIFIER: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, as a terminal's foreground job has.
    detached: true,
  });
  let output = "";
  for (const stream of [npm.stdout, npm.stderr]) stream.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise((resolve) => npm.once("exit", resolve));
  const started: Started = { npm, tree: [], work, output: () => output };
  try {
    await waitUntil("npm start serving", async () => output.includes("Press Ctrl-C to stop."), {
      timeoutMs: 240_000,
      intervalMs: 200,
      gone: exited,
      describe: () =>
        `${output.slice(-3000)}\nedge-api.log:\n${tailOf(join(work, "logs", "edge-api.log"), 30)}`,
    });
  } catch (err) {
    cleanUp(started);
    throw err;
  }
  started.tree = processTree(npm.pid!);
  return started;
}

function cleanUp(s: Started): void {
  killAll(s.tree);
  try {
    process.kill(-s.npm.pid!, "SIGKILL");
  } catch {
    // gone
  }
  removeDir(s.work);
}

const named = (tree: Proc[], part: string) => tree.filter((p) => p.cmdline.includes(part));

// Every process the run started is gone (zombies count as gone), and the agent stopped cleanly.
async function expectAllStopped(s: Started, expect: ExpectStatic): Promise<void> {
  await expect
    .poll(() => stillRunning(s.tree).map((p) => `${p.pid} ${p.cmdline}`), { timeout: 60_000, interval: 250 })
    .toEqual([]);
  // What npm start logged of the agent, then what the agent wrote itself once nobody read its stderr.
  const logs = [join(s.work, "logs", "agent.log"), join(s.work, "agent", "agent.log")];
  const said = logs.map((f) => (existsSync(f) ? readFileSync(f, "utf8") : "")).join("");
  expect(said).toMatch(/agent stopped/);
}

const ways: Array<{ way: string; stop: (s: Started) => void }> = [
  { way: "Ctrl-C: SIGINT to the terminal's process group", stop: (s) => process.kill(-s.npm.pid!, "SIGINT") },
  { way: "SIGTERM to npm alone", stop: (s) => process.kill(s.npm.pid!, "SIGTERM") },
  {
    way: "a closed terminal: SIGHUP to the group, and nobody reads the output any more",
    stop: (s) => {
      s.npm.stdout!.destroy();
      s.npm.stderr!.destroy();
      process.kill(-s.npm.pid!, "SIGHUP");
    },
  },
  {
    way: "scripts/start.ts SIGKILLed: what it started notices its parent is gone",
    stop: (s) => process.kill(named(s.tree, "scripts/start.ts")[0]!.pid, "SIGKILL"),
  },
];

// Under load, four systems starting side by side take minutes; the stop itself is bounded by start.ts.
describe.concurrent("npm start stops every process it started", { timeout: 360_000 }, () => {
  test.for(ways)("$way", async ({ stop }, { expect }) => {
    const s = await npmStart("stop");
    try {
      // What it started: the API (dev.ts, wrangler, workerd) and the agent.
      for (const part of ["scripts/start.ts", "scripts/dev.ts", "workerd", "apps/build-agent/src/main.ts"])
        expect(named(s.tree, part), `${part} in ${JSON.stringify(s.tree, null, 1)}`).not.toEqual([]);
      stop(s);
      await expectAllStopped(s, expect);
    } finally {
      cleanUp(s);
    }
  });
});
