// A user's whole trip: the edge API in workerd, a build agent on the demo tree, the CLI. The firmware
// must hold exactly the request's keymap, and the source zip must rebuild the same bytes.
import { cpSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseCompileRequest } from "@qmk-edge/keymap";
import { type CompileRequest, SOURCE_MANIFEST_NAME, sourceManifest } from "@qmk-edge/schema";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchBytes, getStatus, submit, waitForEnd } from "../support/compile-client.ts";
import { elfKeymapWords, expectedKeymapWords, firmwareImage } from "../support/firmware/fidelity.ts";
import { DEMO_TREE, type EdgeApi, type LocalSystem, REPO_ROOT, startSystem } from "../support/system.ts";

let system: LocalSystem;
let api: EdgeApi;
let tmp = "";

const avrRequest = {
  keyboard: "handwired/edge_pad",
  keymap: "e2e_avr",
  layout: "LAYOUT_ortho_4x4",
  layers: [
    [
      "KC_Q",
      "KC_W",
      "KC_E",
      "KC_R",
      "KC_A",
      "KC_S",
      "KC_D",
      "KC_F",
      "LCTL_T(KC_Z)",
      "KC_X",
      "KC_C",
      "KC_V",
      "MO(1)",
      "KC_SPC",
      "KC_ENT",
      "QK_BOOT",
    ],
    [
      "KC_1",
      "KC_2",
      "KC_3",
      "KC_4",
      "_______",
      "XXXXXXX",
      "LT(1, KC_B)",
      "MT(MOD_LCTL | MOD_LSFT, KC_A)",
      "KC_F1",
      "KC_F2",
      "KC_F3",
      "KC_F4",
      "_______",
      "OSM(MOD_LSFT)",
      "TG(1)",
      "RGB_TOG",
    ],
  ],
  author: "e2e",
};

const armRequest = {
  keyboard: "handwired/edge_split",
  keymap: "e2e_arm",
  layout: "LAYOUT_split_3x5_3",
  layers: [
    Array.from(
      { length: 36 },
      (_, i) => ["KC_A", "KC_B", "KC_C", "LSFT(KC_1)", "LT(1, KC_TAB)", "KC_NO"][i % 6]!,
    ),
    Array(36).fill("KC_TRNS"),
  ],
};

function canonical(body: unknown): CompileRequest {
  const parsed = parseCompileRequest(body);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.value;
}

function agentLeases(): number {
  return readFileSync(join(tmp, "agent.log"), "utf8")
    .split("\n")
    .filter((l) => /"msg":"leased"/.test(l)).length;
}

beforeAll(async () => {
  system = await startSystem("e2e-happy");
  api = system.api;
  tmp = system.dir;
}, 90_000);

afterAll(async () => system?.stop());

describe("compile through the whole system", () => {
  it.each([
    ["AVR", avrRequest, "avr" as const, ".hex"],
    ["ARM", armRequest, "arm" as const, ".bin"],
  ])(
    "%s: the CLI compiles, downloads and verifies; the firmware holds the keymap; the source rebuilds it",
    async (_n, request, toolchain, ext) => {
      const out = join(tmp, `out-${toolchain}`);
      const file = join(tmp, `${request.keymap}.json`);
      await import("node:fs/promises").then((fs) => fs.writeFile(file, JSON.stringify(request)));
      const cli = await execa(
        process.execPath,
        ["apps/cli/src/main.ts", "compile", file, "--api", api.url, "--out", out, "--source", "--json"],
        {
          cwd: REPO_ROOT,
          reject: false,
        },
      );
      expect(cli.stderr).toBe("");
      expect(cli.exitCode).toBe(0);
      const result = JSON.parse(cli.stdout) as {
        job_id: string;
        firmware: { path: string; sha256: string };
        source: { path: string };
      };
      expect(
        result.firmware.path.endsWith(`${request.keyboard.replaceAll("/", "_")}_${request.keymap}${ext}`),
      ).toBe(true);

      const status = await getStatus(api.url, result.job_id);
      expect(status.status).toBe("finished");
      expect(status.result?.returncode).toBe(0);
      expect(status.result?.source_archive).toBe(
        `qmk_firmware-${request.keyboard.replaceAll("/", "-")}-${request.keymap}.zip`,
      );

      // Rebuild from the source zip alone, over a copy of the tree, with the manifest's own command.
      const tree = join(tmp, `tree-${toolchain}`);
      cpSync(DEMO_TREE, tree, {
        recursive: true,
        filter: (p) => !p.includes("/.build"),
      });
      await execa("unzip", ["-o", "-q", result.source.path, "-d", tree]);
      const manifest = sourceManifest.parse(
        JSON.parse(readFileSync(join(tree, SOURCE_MANIFEST_NAME), "utf8")),
      );
      expect(manifest.command).toBe(`make ${request.keyboard}:${request.keymap}`);
      await execa("sh", ["-c", manifest.command], { cwd: tree });
      const rebuilt = readFileSync(
        join(tree, `${request.keyboard.replaceAll("/", "_")}_${request.keymap}${ext}`),
      );
      expect(rebuilt.equals(readFileSync(result.firmware.path))).toBe(true);

      // The downloaded firmware holds the request's keycodes at the keymaps symbol, as the tree encodes them.
      const elf = join(tree, ".build", `${request.keyboard.replaceAll("/", "_")}_${request.keymap}.elf`);
      const { words, bytes, address } = await elfKeymapWords(elf, toolchain);
      expect(words).toEqual(await expectedKeymapWords(tree, canonical(request)));
      const image = await firmwareImage(result.firmware.path);
      const offset = toolchain === "arm" ? address - 0x08000000 : address;
      expect(image.subarray(offset, offset + bytes.length).equals(bytes)).toBe(true);
    },
    120_000,
  );

  it("answers an identical request from the build cache without a build", async () => {
    const first = await waitForEnd(api.url, await submit(api.url, avrRequest));
    expect(first.status).toBe("finished");
    const leasesBefore = agentLeases();
    // The first build went through the agent, so the count below would notice another lease.
    expect(leasesBefore).toBeGreaterThan(0);
    const id = await submit(api.url, { ...avrRequest, notes: undefined });
    const second = await getStatus(api.url, id);
    expect(second.status).toBe("finished");
    expect(second.cached).toBe(true);
    expect(second.id).not.toBe(first.id);
    const a = await fetchBytes(first.result!.firmware_binary_url[0]!);
    const b = await fetchBytes(second.result!.firmware_binary_url[0]!);
    expect(b.bytes.equals(a.bytes)).toBe(true);
    expect(b.res.headers.get("etag")).toBe(a.res.headers.get("etag"));
    // Give a lease time to happen if it were going to; none may.
    await new Promise((r) => setTimeout(r, 1500));
    expect(agentLeases()).toBe(leasesBefore);
  }, 120_000);

  it("serves downloads with a strong ETag and 304 on If-None-Match", async () => {
    const status = await waitForEnd(api.url, await submit(api.url, armRequest));
    const url = status.result!.firmware_binary_url[0]!;
    const { res } = await fetchBytes(url);
    const etag = res.headers.get("etag")!;
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect(res.headers.get("cache-control")).toContain("immutable");
    const again = await fetch(url, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
  }, 120_000);
});
