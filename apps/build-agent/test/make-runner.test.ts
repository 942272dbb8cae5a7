import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { probeBuildHost } from "../src/build/host.ts";
import { CappedLog, type MakeRun, type MakeSandbox, runMake } from "../src/build/make-runner.ts";
import { FIXTURE_KEYBOARD, makeFixtureTree } from "../test-support/fixture-tree.ts";

// The one place that spawns make, against fixture trees whose make misbehaves on purpose.

let dir: string;
let sandbox: MakeSandbox;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "qe-make-runner-"));
  sandbox = (
    await probeBuildHost({ workDir: dir, path: process.env.PATH!, ccache: "auto", isolateNetwork: "auto" })
  ).sandbox;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(name: string, recipe: string, over: Partial<MakeRun> = {}) {
  const tree = await makeFixtureTree(join(dir, name), recipe);
  return runMake({
    tree,
    makefile: "builddefs/build_keyboard.mk",
    vars: { KEYBOARD: FIXTURE_KEYBOARD, BUILD_DIR: join(tree, ".build") },
    jobs: 1,
    home: join(dir, `${name}-home`),
    timeoutMs: 60_000,
    maxLogBytes: 64 * 1024,
    sandbox,
    killGraceMs: 500,
    ...over,
  });
}

// Running or stopped, not gone or a zombie waiting for init to reap it.
const alive = async (pid: number) => {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => null);
  return stat !== null && !/^\d+ \(.*\) [ZX]/.test(stat);
};

async function eventually(check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe("runMake", () => {
  test("runs the makefile with the variables, and reports make's exit code", async () => {
    const res = await run("args", "@echo goal=$@ kb=$(KEYBOARD) build=$(BUILD_DIR); exit 3");
    expect(res.returncode).toBe(2); // make's own code for a failed recipe
    expect(res.output).toContain("Error 3");
    expect(res.timedOut).toBe(false);
    expect(res.output).toContain(`goal=build kb=${FIXTURE_KEYBOARD} build=${join(dir, "args", ".build")}`);
  });

  test("a hanging build is killed at the timeout, with every process of its group", async () => {
    // The recipe starts a grandchild that would outlive make if only make were killed.
    const pidFile = join(dir, "hang.pid");
    const res = await run("hang", `@sleep 300 & echo $$! > ${pidFile}; echo started; wait`, {
      timeoutMs: 1500,
    });
    expect(res.timedOut).toBe(true);
    expect(res.returncode).not.toBe(0);
    expect(res.output).toContain("started");
    expect(res.output).toContain("build killed after the 1500ms timeout");
    const grandchild = Number((await readFile(pidFile, "utf8")).trim());
    expect(grandchild).toBeGreaterThan(0);
    expect(await eventually(async () => !(await alive(grandchild)))).toBe(true);
  });

  test("an abort signal stops the build the same way", async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 300);
    const res = await run("abort", "@sleep 300", { signal: ctl.signal });
    expect(res.aborted).toBe(true);
    expect(res.timedOut).toBe(false);
    expect(res.returncode).not.toBe(0);
  });

  test("output past the cap keeps head and tail and says what was cut", async () => {
    // ~300 KB of numbered lines against an 8 KiB cap.
    const res = await run(
      "flood",
      "@i=0; while [ $$i -lt 20000 ]; do echo line-$$i-xxxxxxxx; i=$$((i+1)); done",
      {
        maxLogBytes: 8192,
      },
    );
    expect(res.returncode).toBe(0);
    expect(res.output.startsWith("line-0-")).toBe(true);
    expect(res.output.trimEnd().endsWith("line-19999-xxxxxxxx")).toBe(true);
    expect(res.output).toMatch(
      /\[qmk-edge-agent: \d+ bytes of output cut here; \d+ in all, max-log-bytes is 8192\]/,
    );
    expect(res.output.length).toBeLessThan(8192 + 200);
  });

  test("the build sees a scrubbed environment, not the agent's", async () => {
    process.env.QMK_EDGE_AGENT_TOKEN = "secret-token-must-not-leak";
    process.env.HTTPS_PROXY = "http://proxy.invalid:1";
    try {
      const res = await run("env", "@env | sort");
      const vars = Object.fromEntries(
        res.output
          .trim()
          .split("\n")
          .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
      );
      expect(res.output).not.toContain("secret-token-must-not-leak");
      expect(vars.HTTPS_PROXY).toBeUndefined();
      expect(vars.HOME).toBe(join(dir, "env-home"));
      expect(vars.LANG).toBe("C");
      // A real tree's make runs the qmk CLI, which finds its qmk_firmware through QMK_HOME.
      expect(vars.QMK_HOME).toBe(join(dir, "env"));
      if (sandbox.ccacheBin) {
        expect(vars.PATH!.split(":")[0]).toBe(sandbox.ccacheBin);
        expect(vars.CCACHE_DIR).toBe(sandbox.ccacheDir);
        expect(vars.CCACHE_BASEDIR).toBe(join(dir, "env"));
      }
    } finally {
      delete process.env.QMK_EDGE_AGENT_TOKEN;
      delete process.env.HTTPS_PROXY;
    }
  });

  test("compilers on PATH resolve to the ccache masquerade when ccache is present", async () => {
    if (!sandbox.ccacheBin) return;
    const res = await run("which", "@for c in avr-gcc arm-none-eabi-gcc gcc; do command -v $$c; done");
    expect(res.output.trim().split("\n")).toEqual(
      ["avr-gcc", "arm-none-eabi-gcc", "gcc"].map((c) => join(sandbox.ccacheBin!, c)),
    );
  });

  test.skipIf(process.platform !== "linux")(
    "the build has no network but loopback where isolation works",
    async () => {
      // /proc/net/dev lists the interfaces of the reader's network namespace.
      const res = await run("net", "@tail -n +3 /proc/net/dev | cut -d: -f1");
      const interfaces = res.output.trim().split(/\s+/).sort();
      if (sandbox.isolate.length > 0) expect(interfaces).toEqual(["lo"]);
      else expect(interfaces.length).toBeGreaterThan(0);
    },
  );
});

describe("CappedLog", () => {
  test("keeps everything under the cap", () => {
    const log = new CappedLog(100);
    log.push(Buffer.from("hello "));
    log.push(Buffer.from("world"));
    expect(log.text()).toBe("hello world");
  });

  test("keeps exactly the first and last halves when over", () => {
    const log = new CappedLog(10);
    for (const c of "abcdefghijklmnopqrstuvwxyz") log.push(Buffer.from(c));
    expect(log.text()).toBe(
      "abcde\n[qmk-edge-agent: 16 bytes of output cut here; 26 in all, max-log-bytes is 10]\nvwxyz",
    );
  });
});
