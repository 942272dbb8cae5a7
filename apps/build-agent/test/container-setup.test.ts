import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
// @ts-expect-error: a plain .mjs module without types; only its package table is read here.
import { SYSTEM_PACKAGES } from "../../../scripts/system-packages.mjs";

// The agent image's install steps (container/setup.sh) run here on this Debian host, as the Containerfile
// runs them, minus the qmk CLI from PyPI (--offline: no internet but apt and npm). Debian packages are
// installed when missing and this runs as root (CI); otherwise they must be there (--no-apt). The user
// and /work are left to the image (--no-user). This machine cannot build the image itself.

const CONTAINER = resolve(import.meta.dirname, "..", "container");
const SETUP = join(CONTAINER, "setup.sh");
const prefix = mkdtempSync(join(resolve(import.meta.dirname, "..", "..", "..", ".work"), "agent-image-"));

afterAll(() => rmSync(prefix, { recursive: true, force: true }));

describe("the agent image's setup script", () => {
  test("is valid bash and installs what scripts/system-packages.mjs lists for the agent", () => {
    expect(spawnSync("bash", ["-n", SETUP]).status).toBe(0);
    const apt = /^APT_PACKAGES="([^"]+)"/m.exec(readFileSync(SETUP, "utf8"))?.[1]?.split(" ") ?? [];
    for (const p of SYSTEM_PACKAGES.toolchains.packages as string[]) expect(apt).toContain(p);
    expect(apt).toEqual(expect.arrayContaining(["git", "python3", "util-linux"]));
  });

  test("runs offline: Node 22 from the npm registry, every toolchain checked", () => {
    const root = process.getuid?.() === 0;
    const res = spawnSync(
      "bash",
      [SETUP, "--offline", "--no-user", "--prefix", prefix, ...(root ? [] : ["--no-apt"])],
      {
        encoding: "utf8",
        env: { ...process.env, npm_config_loglevel: "error" },
        timeout: 600_000,
      },
    );
    expect(res.status, `${res.stdout}\n${res.stderr}`).toBe(0);
    expect(res.stdout).toMatch(/ok: node v22\./);
    for (const cmd of ["avr-gcc", "arm-none-eabi-gcc", "git", "make", "unshare"])
      expect(res.stdout).toContain(`ok: ${cmd}`);
    expect(res.stdout).toContain("skipped (--offline): the qmk CLI from PyPI");
    // The node it installed runs the agent.
    const help = spawnSync(
      join(prefix, "bin", "node"),
      [resolve(import.meta.dirname, "..", "src", "main.ts"), "--help"],
      {
        encoding: "utf8",
      },
    );
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("--token-file");
  }, 600_000);

  test("the Containerfile runs that script, as a non-root user, with the work dir as a volume", () => {
    const file = readFileSync(join(CONTAINER, "Containerfile"), "utf8");
    expect(file).toMatch(/^FROM .*debian:/m);
    expect(file).toMatch(/^RUN bash \/opt\/qmk-edge\/app\/apps\/build-agent\/container\/setup\.sh /m);
    expect(file).toMatch(/^USER qmk-edge$/m);
    expect(file).toMatch(/^VOLUME \/work$/m);
    expect(file).toMatch(/QMK_EDGE_WORK_DIR=\/work/);
    const compose = readFileSync(join(CONTAINER, "compose.yaml"), "utf8");
    for (const service of ["redis:", "api:", "agent-1:", "agent-2:"])
      expect(compose).toContain(`  ${service}`);
    expect(compose).toContain("QMK_EDGE_AGENT_TOKEN_FILE: /run/secrets/agent_token");
  });
});
