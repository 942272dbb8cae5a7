import { access, constants, mkdir, mkdtemp, readFile, readlink, rm, symlink } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import type { Toolchain } from "@qmk-edge/schema";
import { execa } from "execa";
import { pathExists } from "../path-exists.ts";
import type { MakeSandbox } from "./make-runner.ts";

// What this machine offers builds: which toolchains are installed, ccache, a way to cut the network,
// and the `qmk` CLI a real QMK tree's make calls. Probed once at start; the answers go into the lease
// request and every build's log header, and a missing piece stops the agent with what to install,
// instead of failing every job it leases.

export class BuildHostError extends Error {
  override name = "BuildHostError";
}

export interface BuildHost {
  sandbox: MakeSandbox;
  toolchains: Toolchain[];
  note: string; // one line for logs: "ccache on; network isolated (unshare -n)"
}

const COMPILERS: Record<Toolchain, string> = { avr: "avr-gcc", arm: "arm-none-eabi-gcc" };

export const QMK_CLI_HINT =
  "install it with `python3 -m pip install --user qmk` (or pipx install qmk; see https://docs.qmk.fm/cli) and put its directory on PATH";

export async function probeBuildHost(opts: {
  workDir: string;
  path: string;
  ccache: "auto" | "off";
  isolateNetwork: "auto" | "on" | "off";
  treeRoot?: string; // a tree whose make needs the `qmk` CLI is checked for it
}): Promise<BuildHost> {
  if (!(await findOnPath("make", opts.path))) throw new BuildHostError("`make` is not on PATH");
  const toolchains: Toolchain[] = [];
  for (const t of Object.keys(COMPILERS) as Toolchain[]) {
    if (await findOnPath(COMPILERS[t], opts.path)) toolchains.push(t);
  }
  if (toolchains.length === 0) {
    throw new BuildHostError(
      "no toolchain found: install avr-gcc (gcc-avr, binutils-avr, avr-libc) and/or arm-none-eabi-gcc (gcc-arm-none-eabi, libnewlib-arm-none-eabi)",
    );
  }
  const qmk = opts.treeRoot ? await probeQmkCli(opts.treeRoot, opts.path) : null;
  const ccache = opts.ccache === "auto" ? await prepareCcache(opts.workDir, opts.path) : null;
  const isolate = opts.isolateNetwork === "off" ? null : await probeNetworkIsolation(opts.path);
  if (opts.isolateNetwork === "on" && !isolate) {
    throw new BuildHostError(
      "--isolate-network on, but neither `unshare -n` (root) nor `unshare -rn` (user namespaces) works here",
    );
  }
  const isolation = isolate
    ? `network isolated (${isolate.slice(1).join(" ") === "-n" ? "unshare -n" : "unshare -rn"})`
    : "network NOT isolated";
  return {
    sandbox: {
      ccacheBin: ccache?.bin ?? null,
      ccacheDir: ccache?.dir ?? null,
      isolate: isolate ?? [],
      // `qmk` was found on this PATH, so builds find it too.
      path: opts.path,
      env: qmk?.env ?? {},
    },
    toolchains,
    note: [
      `toolchains ${toolchains.join(", ")}`,
      ...(qmk ? [`qmk CLI ${qmk.version}`] : []),
      `ccache ${ccache ? "on" : "off"}`,
      isolation,
    ].join("; "),
  };
}

// A real QMK tree: its make runs `qmk generate-*` and `qmk json2c` (QMK_BIN) for every build.
async function needsQmkCli(treeRoot: string): Promise<boolean> {
  if (await pathExists(join(treeRoot, "lib", "python", "qmk"))) return true;
  const rules = await readFile(join(treeRoot, "builddefs", "build_keyboard.mk"), "utf8").catch(() => "");
  return /\bQMK_BIN\b/.test(rules);
}

// `qmk --version` run as a build runs it (scrubbed env, a fresh HOME, from the tree root), so a CLI
// that only works with the operator's own environment is caught now. A `pip install --user` CLI
// finds its modules through the user base under the real HOME, which builds do not see: that one is
// passed on as PYTHONUSERBASE.
async function probeQmkCli(
  treeRoot: string,
  path: string,
): Promise<{ version: string; env: Record<string, string> } | null> {
  if (!(await needsQmkCli(treeRoot))) return null;
  const qmk = await findOnPath("qmk", path);
  if (!qmk) {
    throw new BuildHostError(
      `${treeRoot} is a QMK tree whose make runs the \`qmk\` CLI, but \`qmk\` is not on PATH: ${QMK_CLI_HINT}`,
    );
  }
  const userBase = process.env.PYTHONUSERBASE ?? join(homedir(), ".local");
  const candidates: Array<Record<string, string>> = [{}, { PYTHONUSERBASE: userBase }];
  const home = await mkdtemp(join(tmpdir(), "qe-qmk-probe-"));
  let last = "";
  try {
    for (const env of candidates) {
      const res = await execa(qmk, ["--version"], {
        cwd: treeRoot,
        env: { PATH: path, HOME: home, QMK_HOME: treeRoot, LANG: "C", LC_ALL: "C", ...env },
        extendEnv: false,
        reject: false,
        stdin: "ignore",
        timeout: 60_000,
      });
      if (res.exitCode === 0) return { version: String(res.stdout).trim().split("\n")[0]!, env };
      last = String(res.stderr || res.stdout || res.shortMessage)
        .trim()
        .split("\n")
        .slice(-3)
        .join(" / ");
    }
  } finally {
    await rm(home, { recursive: true, force: true });
  }
  throw new BuildHostError(`\`${qmk} --version\` fails in a build's environment (${last}): ${QMK_CLI_HINT}`);
}

// Finds an executable on PATH without spawning anything.
export async function findOnPath(name: string, path: string): Promise<string | null> {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return null;
}

// The compilers a build may call that ccache stands in for.
const CCACHE_COMPILERS = ["avr-gcc", "avr-g++", "arm-none-eabi-gcc", "arm-none-eabi-g++", "gcc", "g++", "cc"];

// ccache's masquerade mode: a symlink named like the compiler makes ccache run the next one on PATH.
export async function prepareCcache(
  workDir: string,
  path: string,
): Promise<{ bin: string; dir: string } | null> {
  const ccache = await findOnPath("ccache", path);
  if (!ccache) return null;
  const bin = join(workDir, "ccache-bin");
  const dir = join(workDir, "ccache");
  await mkdir(bin, { recursive: true });
  await mkdir(dir, { recursive: true });
  for (const name of CCACHE_COMPILERS) {
    const link = join(bin, name);
    const current = await readlink(link).catch(() => null);
    if (current === ccache) continue;
    await rm(link, { force: true });
    await symlink(ccache, link);
  }
  return { bin, dir };
}

// Which prefix runs a command without network here: `unshare -n` needs root (CAP_SYS_ADMIN);
// `unshare -rn` makes a user namespace first, which unprivileged users may do on most Linux kernels.
export async function probeNetworkIsolation(path: string): Promise<string[] | null> {
  const unshare = await findOnPath("unshare", path);
  if (!unshare) return null;
  const candidates = process.getuid?.() === 0 ? [["-n"], ["-rn"]] : [["-rn"]];
  for (const flags of candidates) {
    const res = await execa(unshare, [...flags, "true"], { reject: false, stdin: "ignore", timeout: 10_000 });
    if (res.exitCode === 0) return [unshare, ...flags];
  }
  return null;
}
