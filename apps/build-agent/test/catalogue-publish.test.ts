import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { catalogueManifest } from "@qmk-edge/schema";
import { startAgent } from "@qmk-edge/test/support/system.ts";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { ApiClient } from "../src/api/client.ts";
import { CatalogueClient } from "../src/catalogue/client.ts";
import { deriveCatalogue } from "../src/catalogue/derive.ts";
import { CataloguePublisher, lastUpdated } from "../src/catalogue/publish.ts";
import { createLogger, type Logger } from "../src/log.ts";
import { type FirmwareTree, TreeManager } from "../src/tree/firmware-tree.ts";
import {
  type CatalogueApi,
  COMMUNITY_TOKEN,
  startCatalogueApi,
  TRUSTED_TOKEN,
} from "../test-support/catalogue-api.ts";

// The agent publishes its tree's catalogue through the agent protocol with its real HTTP client, against
// a loopback server that answers as the contract says (test-support/catalogue-api.ts): only missing objects
// are uploaded, a few at a time; the manifest goes last; re-publishing is cheap; nothing is fatal.

let dir: string;
let tree: FirmwareTree;
let api: CatalogueApi;
let lines: string[];
let log: Logger;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "qe-catalogue-pub-"));
  const trees = new TreeManager({
    source: { kind: "path", path: join(import.meta.dirname, "../../../firmware/demo-tree") },
    workDir: join(dir, "trees"),
    log: createLogger({ format: "json", level: "error", write: () => {} }),
  });
  tree = await trees.open();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(async () => {
  api = await startCatalogueApi();
  lines = [];
  log = createLogger({ format: "json", level: "debug", write: (l) => void lines.push(l) });
});
afterEach(async () => api.close());

function publisher(o: { token?: string; workDir?: string; uploadConcurrency?: number } = {}) {
  const client = new ApiClient({
    baseUrl: api.url,
    token: o.token ?? TRUSTED_TOKEN,
    log,
    retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
  });
  return new CataloguePublisher({
    client: new CatalogueClient(client),
    log,
    workDir: o.workDir ?? join(dir, `work-${Math.random().toString(36).slice(2)}`),
    apiUrl: api.url,
    uploadConcurrency: o.uploadConcurrency,
  });
}
const logged = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
const calls = (method: string, prefix: string) =>
  api.requests.filter((r) => r.method === method && r.path.startsWith(prefix));

describe("publishing the demo tree's catalogue", () => {
  test("asks which objects are missing, uploads each once with its type, then publishes the manifest", async () => {
    await api.close();
    api = await startCatalogueApi({ holdPutMs: 40 }); // uploads held open long enough to overlap
    const expected = await deriveCatalogue(tree, { log, lastUpdated: await lastUpdated(tree) });
    const outcome = await publisher({ uploadConcurrency: 3 }).forTree(tree);
    expect(outcome).toMatchObject({ kind: "published", keyboards: 4, uploaded: expected.objects.size });
    // Every object stored byte for byte with the content type it is served with.
    expect([...api.objects.keys()].sort()).toEqual([...expected.objects.keys()].sort());
    for (const [digest, o] of expected.objects) {
      expect(api.objects.get(digest)!.bytes.equals(Buffer.from(o.bytes))).toBe(true);
      expect(api.objects.get(digest)!.contentType).toBe(o.contentType);
    }
    // A few at a time: in parallel, and never more than asked.
    expect(api.maxConcurrentPuts).toBeGreaterThan(1);
    expect(api.maxConcurrentPuts).toBeLessThanOrEqual(3);
    // The order: missing first, then the uploads, and the manifest last.
    const order = api.requests.map((r) => `${r.method} ${r.path.split("/").slice(0, 5).join("/")}`);
    expect(order[0]).toBe("POST /v1/agent/catalogue/objects");
    expect(order.at(-1)).toBe(`POST /v1/agent/catalogue/${tree.version}`);
    expect(calls("PUT", "/v1/agent/catalogue/objects/")).toHaveLength(expected.objects.size);
    const stored = catalogueManifest.parse(
      JSON.parse(api.manifests.get(api.current.get(tree.version)!)!.toString()),
    );
    expect(stored).toEqual(expected.manifest);
    expect(outcome.kind === "published" && outcome.manifest).toBe(api.current.get(tree.version));
    expect(logged().find((l) => l.msg === "catalogue published")).toMatchObject({
      version: tree.version,
      keyboards: 4,
    });
  });

  test("once per version: a second call does nothing; a restart with the work dir sends only the missing call", async () => {
    const workDir = join(dir, "work-restart");
    const first = publisher({ workDir });
    await first.forTree(tree);
    const before = api.requests.length;
    expect(await first.forTree(tree)).toMatchObject({ kind: "published" });
    expect(api.requests.length).toBe(before);

    const restarted = await publisher({ workDir }).forTree(tree);
    expect(restarted).toMatchObject({ kind: "unchanged" });
    expect(api.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /v1/agent/catalogue/objects/missing",
    ]);
  });

  test("an API that lost some objects gets only those again, and the manifest again", async () => {
    const workDir = join(dir, "work-lost");
    await publisher({ workDir }).forTree(tree);
    const lost = [...api.objects.keys()].slice(0, 2);
    for (const digest of lost) api.objects.delete(digest);
    const before = api.requests.length;
    expect(await publisher({ workDir }).forTree(tree)).toMatchObject({ kind: "published", uploaded: 2 });
    const puts = api.requests.slice(before).filter((r) => r.method === "PUT");
    expect(puts.map((p) => p.path.split("/").at(-1)).sort()).toEqual([...lost].sort());
  });

  test("5xx answers are retried and the catalogue is still published", async () => {
    api.fail("PUT", "/v1/agent/catalogue/objects/", 503, 2);
    api.fail("POST", `/v1/agent/catalogue/${tree.version}/publish`, 500, 1);
    expect(await publisher().forTree(tree)).toMatchObject({ kind: "published" });
    expect(calls("PUT", "/v1/agent/catalogue/objects/").filter((r) => r.status === 503)).toHaveLength(2);
  });
});

describe("publishing that cannot happen is logged, never thrown", () => {
  test("a community token gets 403 and the agent logs that it does not publish", async () => {
    expect(await publisher({ token: COMMUNITY_TOKEN }).forTree(tree)).toEqual({ kind: "not-trusted" });
    expect(calls("PUT", "/")).toEqual([]);
    expect(logged().find((l) => String(l.msg).includes("does not publish"))).toMatchObject({ level: "info" });
  });

  test("an API without the catalogue routes (404) or one that keeps failing: a warning, no publish", async () => {
    api.fail("POST", "/v1/agent/catalogue/objects/missing", 404, 1);
    const outcome = await publisher().forTree(tree);
    expect(outcome.kind).toBe("failed");
    expect(logged().find((l) => l.msg === "could not publish the keyboard catalogue")).toMatchObject({
      level: "warn",
      version: tree.version,
    });
    api.fail("POST", "/v1/agent/catalogue/objects/missing", 503, 3);
    expect((await publisher().forTree(tree)).kind).toBe("failed");
    expect(api.current.size).toBe(0);
  });

  test("a tree that does not say which keycodes it defines is not published", async () => {
    const bare: FirmwareTree = { ...tree, root: join(dir, "nowhere"), version: "bare-1" };
    const outcome = await publisher().forTree(bare);
    expect(outcome).toMatchObject({ kind: "failed", problem: expect.stringMatching(/keycodes/) });
    expect(api.requests).toEqual([]);
  });
});

describe("the agent process", () => {
  test("publishes in the background at start, and not at all with --no-publish-catalogue", async () => {
    const run = async (name: string, extra: string[]) => {
      const logFile = join(dir, `${name}.log`);
      const agent = startAgent({
        api: api.url,
        workDir: join(dir, `agent-${name}`),
        logFile,
        agentId: name,
        extra: ["--lease-wait", "1s", ...extra],
        env: { QMK_EDGE_AGENT_TOKEN: TRUSTED_TOKEN },
      });
      try {
        const deadline = Date.now() + 60_000;
        while (Date.now() < deadline) {
          const text = await readFile(logFile, "utf8").catch(() => "");
          if (/"msg":"(catalogue published|not publishing the keyboard catalogue[^"]*)"/.test(text)) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        await new Promise((r) => setTimeout(r, 500)); // time to send anything it still would
      } finally {
        await agent.stop();
      }
      return readFile(logFile, "utf8");
    };
    const published = await run("publishes", []);
    expect(published).toMatch(/"msg":"catalogue published"/);
    expect(api.current.get(tree.version)).toBeDefined();

    const before = api.requests.filter((r) => r.path.startsWith("/v1/agent/catalogue")).length;
    const off = await run("off", ["--no-publish-catalogue"]);
    expect(off).toMatch(/not publishing the keyboard catalogue/);
    expect(api.requests.filter((r) => r.path.startsWith("/v1/agent/catalogue")).length).toBe(before);
  });
});
