import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, realpath, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { firmwareVersion, type TreeOrigin } from "@qmk-edge/schema";
import type { TreeSource } from "../config/load-config.ts";
import { JOB_GIT_EXCLUDES, JOB_ROOT_FILE } from "../job-names.ts";
import type { Logger } from "../log.ts";
import { pathExists } from "../path-exists.ts";
import { GitError, git, tryGit } from "./git.ts";

// Firmware trees the agent builds in: one warm, pinned tree per firmware version, never a fresh
// checkout per job. A local path is used in place; a git source is cloned once (bare) into the work dir
// and each pinned commit gets its own checkout beside it, kept across jobs and restarts.

export class TreeError extends Error {
  override name = "TreeError";
}

export type { TreeOrigin } from "@qmk-edge/schema";

export interface FirmwareTree {
  root: string;
  version: string;
  origin: TreeOrigin;
}

const READY = ".qmk-edge-ready";

export class TreeManager {
  readonly #source: TreeSource;
  readonly #workDir: string;
  readonly #log: Logger;
  #current: FirmwareTree | null = null;
  #mirror: string | null = null;
  readonly #byVersion = new Map<string, Promise<FirmwareTree>>();

  readonly #onOpen: ((tree: FirmwareTree) => void) | undefined;

  // `onOpen` hears of each version's tree once, when it is first ready (the catalogue publisher).
  constructor(opts: {
    source: TreeSource;
    workDir: string;
    log: Logger;
    onOpen?: (tree: FirmwareTree) => void;
  }) {
    this.#source = opts.source;
    this.#workDir = opts.workDir;
    this.#log = opts.log;
    this.#onOpen = opts.onOpen;
  }

  // Resolves the configured tree (cloning or fetching a git source) and returns the version it pins.
  async open(): Promise<FirmwareTree> {
    const tree =
      this.#source.kind === "path" ? await this.#openPath(this.#source.path) : await this.#openGit();
    this.#current = tree;
    this.#byVersion.set(tree.version, Promise.resolve(tree));
    this.#onOpen?.(tree);
    return tree;
  }

  get current(): FirmwareTree {
    if (!this.#current) throw new Error("TreeManager.open() was not called");
    return this.#current;
  }

  // The warm tree of `version`, or null when this agent cannot build it: a path source has one version;
  // a git source can check out any commit its clone holds.
  async forVersion(version: string): Promise<FirmwareTree | null> {
    const known = this.#byVersion.get(version);
    if (known) return known;
    if (this.#source.kind !== "git" || !this.#mirror || !/^[0-9a-f]{40}$/.test(version)) return null;
    const mirror = this.#mirror;
    const has = await tryGit(["--git-dir", mirror, "cat-file", "-e", `${version}^{commit}`]);
    if (has === null) return null;
    const source = this.#source;
    const pending = this.#checkout(mirror, version).then(
      (root): FirmwareTree => ({
        root,
        version,
        origin: { kind: "git", url: source.url, ref: version, commit: version },
      }),
    );
    this.#byVersion.set(version, pending);
    pending.then(
      (tree) => this.#onOpen?.(tree),
      () => this.#byVersion.delete(version),
    );
    return pending;
  }

  async #openPath(path: string): Promise<FirmwareTree> {
    const root = await realpath(path).catch(() => {
      throw new TreeError(`firmware tree ${path} does not exist`);
    });
    await assertTreeShape(root);
    // The tree's own git commit when it is a checkout of its own; else its VERSION file.
    const top = await tryGit(["rev-parse", "--show-toplevel"], { cwd: root });
    let version: string | null = null;
    if (top !== null && (await realpath(top)) === root) {
      version = await tryGit(["rev-parse", "HEAD"], { cwd: root });
    }
    version ??= await readVersionFile(root);
    if (!version) {
      throw new TreeError(
        `cannot tell the firmware version of ${root}: it is not the top of a git checkout and has no VERSION file`,
      );
    }
    return { root, version, origin: { kind: "path", path: root } };
  }

  async #openGit(): Promise<FirmwareTree> {
    const source = this.#source as Extract<TreeSource, { kind: "git" }>;
    const gitDir = join(this.#workDir, "git");
    await mkdir(gitDir, { recursive: true });
    const mirror = join(gitDir, `${createHash("sha256").update(source.url).digest("hex").slice(0, 16)}.git`);
    this.#mirror = mirror;
    const refspecs = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"];
    if (await pathExists(join(mirror, "HEAD"))) {
      try {
        await git(["--git-dir", mirror, "fetch", "--quiet", "--prune", source.url, ...refspecs]);
      } catch (err) {
        // A warm clone still builds what it has; the operator sees why it is not newer.
        this.#log.warn("could not update the firmware tree clone; using what it has", {
          problem: String(err),
        });
      }
    } else {
      this.#log.info("cloning the firmware tree (once per work dir)", { url: source.url });
      const tmp = `${mirror}.tmp-${process.pid}`;
      await rm(tmp, { recursive: true, force: true });
      try {
        await git(["clone", "--bare", "--quiet", source.url, tmp]);
      } catch (err) {
        await rm(tmp, { recursive: true, force: true });
        throw new TreeError(`cannot clone firmware tree ${source.url}: ${(err as Error).message}`);
      }
      await rename(tmp, mirror);
    }
    const commit = await tryGit([
      "--git-dir",
      mirror,
      "rev-parse",
      "--verify",
      "--quiet",
      `${source.ref}^{commit}`,
    ]);
    if (!commit) throw new TreeError(`firmware tree ${source.url} has no ref "${source.ref}"`);
    const root = await this.#checkout(mirror, commit);
    await assertTreeShape(root);
    return { root, version: commit, origin: { kind: "git", url: source.url, ref: source.ref, commit } };
  }

  // A checkout of `commit` sharing the clone's objects; built once, then reused by every job and restart.
  async #checkout(mirror: string, commit: string): Promise<string> {
    const root = join(this.#workDir, "trees", commit);
    if (await pathExists(join(root, READY))) {
      await sweepJobLeftovers(root);
      return root;
    }
    const tmp = `${root}.tmp-${process.pid}`;
    await mkdir(join(this.#workDir, "trees"), { recursive: true });
    await rm(tmp, { recursive: true, force: true });
    await rm(root, { recursive: true, force: true });
    const started = performance.now();
    try {
      await git(["clone", "--quiet", "--shared", "--no-checkout", mirror, tmp]);
      await git(["checkout", "--quiet", "--detach", commit], { cwd: tmp });
      if (await pathExists(join(tmp, ".gitmodules"))) {
        // qmk_firmware keeps ChibiOS, LUFA and friends in submodules; only tree preparation may fetch.
        await git(["submodule", "update", "--quiet", "--init", "--recursive", "--depth", "1"], { cwd: tmp });
      }
      // make's firmware copies at the root must not show up as a dirty tree in QMK's version string.
      await writeFile(
        join(tmp, ".git", "info", "exclude"),
        `${[...JOB_GIT_EXCLUDES, "/.build/"].join("\n")}\n`,
        {
          flag: "a",
        },
      );
      await writeFile(join(tmp, READY), `${commit}\n`);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      if (err instanceof GitError) throw new TreeError(`cannot check out firmware ${commit}: ${err.message}`);
      throw err;
    }
    await rename(tmp, root);
    this.#log.info("prepared a warm firmware tree", {
      version: commit,
      took_ms: performance.now() - started,
    });
    return root;
  }
}

async function assertTreeShape(root: string): Promise<void> {
  for (const need of ["keyboards", "Makefile"]) {
    if (!(await pathExists(join(root, need)))) {
      throw new TreeError(`${root} does not look like a QMK firmware tree: it has no ${need}`);
    }
  }
}

async function readVersionFile(root: string): Promise<string | null> {
  const text = await readFile(join(root, "VERSION"), "utf8").catch(() => null);
  if (text === null) return null;
  const version = text.trim();
  if (!firmwareVersion.safeParse(version).success) {
    throw new TreeError(
      `${join(root, "VERSION")} holds "${version.slice(0, 40)}", not a firmware version (${firmwareVersion.description ?? "[A-Za-z0-9._@+-]{1,128}"})`,
    );
  }
  return version;
}

// A killed agent may leave make's firmware copies at the root of a tree it owns; nothing else builds
// there, so they can go. (Trees given by path may be shared with other agents and are left alone.) Jobs'
// keymaps never enter the tree: they live in the work dir's build slots.
async function sweepJobLeftovers(root: string): Promise<void> {
  for (const entry of await readdir(root)) {
    if (JOB_ROOT_FILE.test(entry)) await rm(join(root, entry), { force: true });
  }
}
