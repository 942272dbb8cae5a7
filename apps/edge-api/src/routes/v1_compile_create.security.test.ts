import { describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, compileBody, expectError, json, status, submit } from "../../test-support/api-client.ts";

const post = (body: unknown) => target.fetch("/v1/compile", json(body));

describe("POST /v1/compile against hostile bodies", () => {
  it("refuses C injection through keycodes (422, path of the key)", async () => {
    const hostile = [
      'KC_A); system("x',
      "KC_A/*",
      "#include <stdio.h>",
      "KC_A\nKC_B",
      "KC_A;",
      "KC_Ａ",
      '"KC_A"',
      "KC_A}",
      "LT(1, KC_A); int x = (1",
    ];
    for (const keycode of hostile) {
      const body = await expectError(await post(compileBody({ layers: [["KC_A", keycode]] })), 422);
      expect(body.errors?.map((e) => e.path)).toContain("layers.0.1");
    }
  });

  it("refuses path traversal and shell text in names (422, path of the field)", async () => {
    const cases: Array<[string, string]> = [
      ["keyboard", "../../etc/passwd"],
      ["keyboard", "/abs/path"],
      ["keyboard", "handwired/../x"],
      ["keyboard", "a b"],
      ["keymap", "../default"],
      ["keymap", "x;rm -rf /"],
      ["keymap", "a/b"],
      ["layout", "LAYOUT(x)"],
    ];
    for (const [field, value] of cases) {
      const body = await expectError(await post(compileBody({ [field]: value })), 422);
      expect(body.errors?.map((e) => e.path)).toContain(field);
    }
  });

  it("refuses oversized and ragged layers, and non-string keys (422)", async () => {
    const tooMany = Array.from({ length: 33 }, () => ["KC_A"]);
    expect((await expectError(await post(compileBody({ layers: tooMany })), 422)).errors?.[0]?.path).toBe(
      "layers",
    );
    const tooWide = [Array.from({ length: 513 }, () => "KC_A")];
    expect((await expectError(await post(compileBody({ layers: tooWide })), 422)).errors?.[0]?.path).toBe(
      "layers.0",
    );
    const ragged = [
      ["KC_A", "KC_B"],
      ["KC_A", "KC_B", "KC_C"],
    ];
    expect((await expectError(await post(compileBody({ layers: ragged })), 422)).errors?.[0]?.path).toBe(
      "layers.1",
    );
    for (const key of [7, null, { k: "KC_A" }, ["KC_A"], true]) {
      const body = await expectError(await post(compileBody({ layers: [["KC_A", key]] })), 422);
      expect(body.errors?.map((e) => e.path)).toContain("layers.0.1");
    }
    const longKey = await expectError(
      await post(compileBody({ layers: [["KC_A", `KC_${"A".repeat(200)}`]] })),
      422,
    );
    expect(longKey.errors?.map((e) => e.path)).toContain("layers.0.1");
  });

  it("refuses deeply nested JSON (400) instead of failing later", async () => {
    const deep = `{"keyboard":"a","extra":${"[".repeat(10_000)}${"]".repeat(10_000)}}`;
    await expectError(await post(deep), 400);
    const deepObject = `${'{"a":'.repeat(1000)}1${"}".repeat(1000)}`;
    await expectError(await post(deepObject), 400);
  });

  it("refuses prototype keys as unknown fields, polluting nothing", async () => {
    const text = JSON.stringify(compileBody()).replace(
      /}$/,
      ',"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}',
    );
    const body = await expectError(await post(text), 422);
    // The JSON reader drops `__proto__` (packages/keymap decodeCountedJson); `constructor` is just a key.
    expect(body.errors?.map((e) => e.path)).toEqual(["constructor"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses hostile keymap config before anything is stored: injection into a define or make", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ config: { tapping: { term: '200\n#include "/etc/passwd"' } } }, "config.tapping.term"],
      [
        { config: { features: { "x := $(shell touch /tmp/pwned)": true } } },
        "config.features.x := $(shell touch /tmp/pwned)",
      ],
      [
        { config: { features: { "via\nSRC += /etc/passwd": true } } },
        "config.features.via\nSRC += /etc/passwd",
      ],
      [{ config: { rgb_matrix: { driver: "$(shell id)" } } }, "config.rgb_matrix.driver"],
      [{ config: { backlight: { pin: "B1\n#define X" } } }, "config.backlight.pin"],
      [{ config: { processor: "../../../etc/passwd" } }, "config.processor"],
      [
        { config: { rgblight: { default: { animation: "X\n#error" } } } },
        "config.rgblight.default.animation",
      ],
      [{ keycodes: [{ key: "A = 1; int x" }] }, "keycodes.0.key"],
      [{ encoders: [[{ ccw: "KC_A)}; void f(void){", cw: "KC_B" }]] }, "encoders.0.0.ccw"],
    ];
    for (const [fields, path] of cases) {
      const body = await expectError(await post(compileBody(fields)), 422);
      expect(
        body.errors?.map((e) => e.path),
        path,
      ).toContain(path);
      expect(body.message).not.toMatch(/passwd|shell/);
    }
  });

  it("never publishes the client's address in the job status", async () => {
    const clientIp = "192.0.2.123";
    const id = await submit(target, compileBody(), clientIp);
    const text = JSON.stringify(await status(target, id));
    expect(text).not.toContain(clientIp);
    expect(text).not.toMatch(/source_ip|client_ip/);
  });

  it("answers every hostile body with a JSON error, never a 5xx", async () => {
    const bodies = [
      "\uFEFF{}",
      '{"keyboard":"a","keymap":"b","layout":"LAYOUT","layers":[["KC_A"]],"layers":[[1]]}',
      `{"keyboard":"${"a".repeat(300)}"}`,
      '{"a":"\\ud800"}',
      "[".repeat(64) + "]".repeat(64),
      "1e999999",
    ];
    for (const body of bodies) {
      const res = await post(body);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    }
  });

  it("refuses an unknown field, however large, naming it and queueing nothing", async () => {
    const agent = new Agent(target, "unknown-fields-agent");
    await agent.drain();
    const body = await expectError(await post(compileBody({ blob: "x".repeat(250_000) })), 422);
    expect(body.errors?.map((e) => e.path)).toEqual(["blob"]);
    expect(await agent.lease()).toBeNull();
  });
});
