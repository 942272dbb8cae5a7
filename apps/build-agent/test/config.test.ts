import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DEMO_TREE } from "@qmk-edge/test/support/system.ts";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { helpText } from "../src/config/help.ts";
import { ConfigError, loadConfig } from "../src/config/load-config.ts";
import { OPTIONS } from "../src/config/options.ts";
import { parseDuration, parseSize } from "../src/config/units.ts";

// The CLI as an operator meets it: --help, and exit code 2 with a message for every bad config.

const MAIN = resolve(import.meta.dirname, "../src/main.ts");
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "qe-agent-config-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const agent = (args: string[], env: Record<string, string> = {}) =>
  execa(process.execPath, [MAIN, ...args], {
    reject: false,
    env: { QMK_EDGE_WORK_DIR: join(dir, "work"), ...env },
    extendEnv: true,
    timeout: 60_000,
  });

const required = ["--api", "http://127.0.0.1:9", "--token", "t", "--tree", DEMO_TREE];

describe("qmk-edge-agent --help", () => {
  test("explains every option with its env variable and default, and exits 0", async () => {
    const res = await agent(["--help"]);
    expect(res.exitCode).toBe(0);
    for (const [name, spec] of Object.entries(OPTIONS)) {
      // A switch (no value placeholder) is shown bare.
      expect(res.stdout).toContain(spec.value ? `--${name} ${spec.value}\n` : `--${name}\n`);
      expect(res.stdout).toContain(`env: ${spec.env}`);
    }
    expect(res.stdout).toContain("default: 10m");
    expect(res.stdout).toContain("default: max(1, CPUs / 2)");
    expect(res.stdout).toContain("npm run -s agent -- --api URL --token TOKEN --tree firmware/demo-tree");
    expect(res.stdout).toContain("Exit codes:");
    expect(res.stdout.split("\n").every((l) => l.length <= 110)).toBe(true);
    expect(res.stdout).toBe(helpText().trimEnd());
  });
});

describe("bad configuration exits 2 with a clear message", () => {
  test.each<[string, string[], Record<string, string>, RegExp]>([
    ["an unknown flag", [...required, "--nope"], {}, /Unknown option '--nope' \(see --help\)/],
    ["a flag without its value", ["--api"], {}, /--api/],
    ["a stray argument", [...required, "extra"], {}, /unexpected argument "extra"/],
    ["no API URL", ["--token", "t", "--tree", DEMO_TREE], {}, /--api \(QMK_EDGE_API\): is required/],
    [
      "no token",
      ["--api", "http://x", "--tree", DEMO_TREE],
      {},
      /--token \(QMK_EDGE_AGENT_TOKEN\): is required/,
    ],
    [
      "an API URL that is not http(s)",
      [...required, "--api", "ftp://x"],
      {},
      /--api \(QMK_EDGE_API\): must be an http/,
    ],
    [
      "no tree",
      ["--api", "http://x", "--token", "t"],
      {},
      /give exactly one of --tree PATH or --tree-git URL/,
    ],
    [
      "two trees",
      [...required, "--tree-git", "https://example.invalid/q.git"],
      {},
      /give exactly one of --tree/,
    ],
    [
      "a zero concurrency",
      [...required, "--concurrency", "0"],
      {},
      /--concurrency \(QMK_EDGE_CONCURRENCY\): "0" must be a whole number from 1/,
    ],
    [
      "a bad timeout",
      [...required, "--build-timeout", "soon"],
      {},
      /--build-timeout .*"soon" is not a duration/,
    ],
    ["a bad log format", [...required, "--log-format", "xml"], {}, /--log-format/],
    [
      "a bad env value",
      required,
      { QMK_EDGE_MAX_LOG_BYTES: "lots" },
      /--max-log-bytes \(QMK_EDGE_MAX_LOG_BYTES\): "lots" must be a size/,
    ],
    [
      "a tree that does not exist",
      [...required, "--tree", "/no/such/tree"],
      {},
      /firmware tree \/no\/such\/tree does not exist/,
    ],
    [
      "a tree that is not a firmware tree",
      [...required, "--tree", "/tmp"],
      {},
      /does not look like a QMK firmware tree/,
    ],
    [
      "a missing config file",
      [...required, "--config", "/no/such.json"],
      {},
      /cannot read config file \/no\/such\.json: ENOENT/,
    ],
  ])("%s", async (_name, args, env, message) => {
    const res = await agent(args, env);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toMatch(/^qmk-edge-agent: /);
    expect(res.stderr).toMatch(message);
    expect(res.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });
});

describe("loadConfig", () => {
  const load = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
    const out = loadConfig(argv, env, dir);
    if (out.kind !== "config") throw new Error("help");
    return out.config;
  };

  test("defaults", () => {
    const c = load(required);
    expect(c.concurrency).toBe(Math.max(1, Math.floor(availableParallelism() / 2)));
    expect(c.makeJobs).toBe(Math.max(1, Math.floor(availableParallelism() / c.concurrency)));
    expect(c.buildTimeoutMs).toBe(600_000);
    expect(c.maxLogBytes).toBe(1024 * 1024);
    expect(c.leaseWaitMs).toBe(25_000);
    expect(c.logFormat).toBe("human");
    expect(c.tree).toEqual({ kind: "path", path: DEMO_TREE });
    expect(c.agentId).toMatch(/^[A-Za-z0-9_.-]+-\d+$/);
  });

  test("flags win over env, env over the config file", async () => {
    const file = join(dir, "agent.json");
    await writeFile(
      file,
      JSON.stringify({ concurrency: 3, "build-timeout": "90s", "log-format": "json", token: "from-file" }),
    );
    const c = load(["--config", file, "--api", "http://a", "--tree", DEMO_TREE, "--concurrency", "5"], {
      QMK_EDGE_CONCURRENCY: "4",
      QMK_EDGE_BUILD_TIMEOUT: "2m",
    });
    expect(c.concurrency).toBe(5);
    expect(c.buildTimeoutMs).toBe(120_000);
    expect(c.logFormat).toBe("json");
    expect(c.token).toBe("from-file");
  });

  test("--no-publish-catalogue is a switch, from the flag, the env or the file; publishing is the default", async () => {
    expect(load(required).publishCatalogue).toBe(true);
    expect(load([...required, "--no-publish-catalogue"]).publishCatalogue).toBe(false);
    expect(load(required, { QMK_EDGE_NO_PUBLISH_CATALOGUE: "1" }).publishCatalogue).toBe(false);
    expect(load(required, { QMK_EDGE_NO_PUBLISH_CATALOGUE: "false" }).publishCatalogue).toBe(true);
    const file = join(dir, "no-catalogue.json");
    await writeFile(file, JSON.stringify({ "no-publish-catalogue": true }));
    expect(load([...required, "--config", file]).publishCatalogue).toBe(false);
    expect(() => load(required, { QMK_EDGE_NO_PUBLISH_CATALOGUE: "maybe" })).toThrow(
      /--no-publish-catalogue \(QMK_EDGE_NO_PUBLISH_CATALOGUE\)/,
    );
    expect(() => load([...required, "--no-publish-catalogue=yes"])).toThrow(ConfigError);
  });

  test("the token from a file (a container secret), whitespace trimmed; not with --token too, not empty", async () => {
    const file = join(dir, "agent_token");
    await writeFile(file, "  secret-from-a-file\n");
    const base = ["--api", "http://a", "--tree", DEMO_TREE];
    expect(load([...base, "--token-file", file]).token).toBe("secret-from-a-file");
    expect(load(base, { QMK_EDGE_AGENT_TOKEN_FILE: file }).token).toBe("secret-from-a-file");
    expect(() => load([...base, "--token-file", file, "--token", "t"])).toThrow(
      /give only one of --token or --token-file/,
    );
    await writeFile(file, "\n");
    expect(() => load([...base, "--token-file", file])).toThrow(/is empty/);
    expect(() => load([...base, "--token-file", join(dir, "absent")])).toThrow(
      /--token-file \(QMK_EDGE_AGENT_TOKEN_FILE\)/,
    );
  });

  test("a config file with an unknown key is refused", async () => {
    const file = join(dir, "typo.json");
    await writeFile(file, JSON.stringify({ concurency: 3 }));
    expect(() => load([...required, "--config", file])).toThrow(ConfigError);
    expect(() => load([...required, "--config", file])).toThrow(/unknown option "concurency"/);
  });

  test("a git tree source, with a relative path made absolute", () => {
    const c = load(["--api", "http://a", "--token", "t", "--tree-git", "repo.git", "--tree-ref", "v1.2"]);
    expect(c.tree).toEqual({ kind: "git", url: join(dir, "repo.git"), ref: "v1.2" });
    const remote = load(["--api", "http://a", "--token", "t", "--tree-git", "https://example.org/qmk.git"]);
    expect(remote.tree).toEqual({ kind: "git", url: "https://example.org/qmk.git", ref: "HEAD" });
  });

  test.each([
    ["90", 90_000],
    ["90s", 90_000],
    ["10m", 600_000],
    ["1h", 3_600_000],
    ["250ms", 250],
    ["1.5s", 1500],
    ["x", undefined],
    ["-1s", undefined],
  ])("duration %s", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test.each([
    ["65536", 65536],
    ["512k", 512 * 1024],
    ["1m", 1024 * 1024],
    ["2MiB", 2 * 1024 * 1024],
    ["big", undefined],
  ])("size %s", (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });
});
