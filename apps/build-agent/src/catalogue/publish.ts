import { createHash } from "node:crypto";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ApiError } from "../api/errors.ts";
import type { Logger } from "../log.ts";
import type { FirmwareTree } from "../tree/firmware-tree.ts";
import { tryGit } from "../tree/git.ts";
import type { CatalogueClient } from "./client.ts";
import { type DerivedCatalogue, deriveCatalogue, NoKeycodesError } from "./derive.ts";

// Publishing the catalogue of each firmware version the agent builds, in the background: derive it from
// the tree, ask the API which objects it lacks, upload those (a few at a time), then publish the manifest.
// Nothing here is fatal: every failure is logged and the agent goes on building. Re-publishing is cheap:
// the API holds the objects already, and a manifest the API accepted from this agent before (recorded in
// the work dir) is not sent again.

export interface PublisherOptions {
  client: CatalogueClient;
  log: Logger;
  workDir: string;
  apiUrl: string;
  uploadConcurrency?: number;
  deriveConcurrency?: number;
  progressEveryMs?: number;
}

export type PublishOutcome =
  | { kind: "published"; manifest: string; keyboards: number; uploaded: number }
  | { kind: "unchanged"; manifest: string }
  | { kind: "not-trusted" } // 403: a community token does not publish
  | { kind: "failed"; problem: string };

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

export class CataloguePublisher {
  readonly #o: PublisherOptions;
  readonly #byVersion = new Map<string, Promise<PublishOutcome>>();

  constructor(opts: PublisherOptions) {
    this.#o = opts;
  }

  // Once per firmware version; the promise never rejects.
  forTree(tree: FirmwareTree): Promise<PublishOutcome> {
    let p = this.#byVersion.get(tree.version);
    if (!p) {
      p = this.#publish(tree).catch((err: unknown) => this.#failed(tree, err));
      this.#byVersion.set(tree.version, p);
    }
    return p;
  }

  async #publish(tree: FirmwareTree): Promise<PublishOutcome> {
    const { client, log } = this.#o;
    const derived = await deriveCatalogue(tree, {
      log,
      lastUpdated: await lastUpdated(tree),
      concurrency: this.#o.deriveConcurrency,
      progressEveryMs: this.#o.progressEveryMs,
    });
    const manifestBytes = new TextEncoder().encode(JSON.stringify(derived.manifest));
    const manifest = sha256(manifestBytes);
    const missing = await client.missing([...derived.objects.keys()]);
    const uploaded = await this.#upload(derived, missing, tree.version);
    const marker = join(
      this.#o.workDir,
      "catalogue",
      `${sha256(new TextEncoder().encode(this.#o.apiUrl)).slice(0, 16)}-${tree.version}.json`,
    );
    if (missing.length === 0 && (await readMarker(marker)) === manifest) {
      log.info("catalogue already published", { version: tree.version, manifest });
      return { kind: "unchanged", manifest };
    }
    const res = await client.publish(derived.manifest, manifestBytes);
    await writeMarker(marker, manifest);
    log.info("catalogue published", {
      version: tree.version,
      manifest: res.manifest,
      keyboards: res.keyboards,
      uploaded,
    });
    return { kind: "published", manifest: res.manifest, keyboards: res.keyboards, uploaded };
  }

  async #upload(derived: DerivedCatalogue, missing: string[], version: string): Promise<number> {
    const { client, log } = this.#o;
    const todo = missing.filter((digest) => derived.objects.has(digest));
    let next = 0;
    let done = 0;
    let lastProgress = performance.now();
    const worker = async () => {
      while (next < todo.length) {
        const digest = todo[next++]!;
        const object = derived.objects.get(digest)!;
        await client.putObject(digest, object.bytes, object.contentType);
        done++;
        if (performance.now() - lastProgress >= (this.#o.progressEveryMs ?? 5000)) {
          lastProgress = performance.now();
          log.info("catalogue: uploading objects", { version, done, of: todo.length });
        }
      }
    };
    await Promise.all(Array.from({ length: this.#o.uploadConcurrency ?? 4 }, worker));
    return done;
  }

  #failed(tree: FirmwareTree, err: unknown): PublishOutcome {
    const { log } = this.#o;
    if (err instanceof ApiError && err.status === 403) {
      log.info("this agent's token is not trusted to publish the keyboard catalogue; it does not publish", {
        version: tree.version,
      });
      return { kind: "not-trusted" };
    }
    const problem = err instanceof Error ? err.message : String(err);
    if (err instanceof NoKeycodesError)
      log.warn("catalogue not published", { version: tree.version, problem });
    else log.warn("could not publish the keyboard catalogue", { version: tree.version, problem });
    return { kind: "failed", problem };
  }
}

// Shown by Configurator; taken from the tree, not the clock, so one version always gives one manifest.
export async function lastUpdated(tree: FirmwareTree): Promise<string> {
  const commitTime = /^[0-9a-f]{40}$/.test(tree.version)
    ? await tryGit(["log", "-1", "--format=%ct", tree.version], { cwd: tree.root })
    : null;
  const seconds = commitTime ? Number(commitTime) : null;
  const when =
    seconds && Number.isFinite(seconds)
      ? new Date(seconds * 1000)
      : ((await stat(join(tree.root, "VERSION")).catch(() => null))?.mtime ?? new Date(0));
  return `${when.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

async function readMarker(path: string): Promise<string | null> {
  const text = await readFile(path, "utf8").catch(() => null);
  if (text === null) return null;
  try {
    const data = JSON.parse(text) as { manifest?: unknown };
    return typeof data.manifest === "string" ? data.manifest : null;
  } catch {
    return null;
  }
}

async function writeMarker(path: string, manifest: string): Promise<void> {
  await mkdir(join(path, ".."), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify({ manifest })}\n`);
  await rename(tmp, path);
}
