import { LIMITS } from "@qmk-edge/schema";
import { describe, expect, it } from "vitest";
import { target } from "#test-target";
import { compileBody, expectError, json } from "../../test-support/api-client.ts";

const post = (
  body: RequestInit["body"],
  headers: Record<string, string> = { "content-type": "application/json" },
  clientIp?: string,
) => target.fetch("/v1/compile", { method: "POST", headers, body, ...(clientIp ? { clientIp } : {}) });

describe("POST /v1/compile refuses", () => {
  it("malformed JSON and an empty body (400)", async () => {
    for (const text of ['{"keyboard": ', "not json", "{'a': 1}", "", "\u0000"]) {
      const body = await expectError(await post(text), 400);
      expect(body.errors?.[0]?.path).toBe("");
    }
  });

  it("anything but JSON (415)", async () => {
    const body = JSON.stringify(compileBody());
    for (const type of [
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/jsonp",
    ]) {
      await expectError(await post(body, { "content-type": type }), 415);
    }
    await expectError(await post(body, {}), 415);
  });

  it("a body over the limit (413), whether its Content-Length says so or not", async () => {
    const padded = JSON.stringify(compileBody({ notes: "x".repeat(LIMITS.bodyBytes) }));
    await expectError(await post(padded), 413);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        const chunk = new TextEncoder().encode(" ".repeat(64 * 1024));
        for (let i = 0; i < 5; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const chunked = await target.fetch("/v1/compile", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    await expectError(chunked, 413);
  });

  it("keymap.json fields it does not build (422), each by its path and never kept", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ coonfig: { features: { encoder_map: true } } }, "coonfig"],
      [{ host_language: "german" }, "host_language"],
      [{ modules: ["qmk/hello_world"] }, "modules"],
      [{ dip_switches: [{ on: "KC_A", off: "KC_B" }] }, "dip_switches"],
      [{ config: { processor: "atmega32u2" } }, "config.processor"],
      [{ config: { matrix_pins: { cols: ["B1"] } } }, "config.matrix_pins"],
      [{ config: { tapping: { term: -5 } } }, "config.tapping.term"],
      [{ config: { features: { tri_layer: "yes" } } }, "config.features.tri_layer"],
      [{ encoders: [[{ ccw: "KC_A" }]] }, "encoders.0.0.cw"],
      [{ encoders: [[{ ccw: "KC_A", cw: "KC_FOO(" }]] }, "encoders.0.0.cw"],
      [{ keycodes: [{ key: "lower" }] }, "keycodes.0.key"],
    ];
    for (const [fields, path] of cases) {
      const body = await expectError(await post(JSON.stringify(compileBody(fields))), 422);
      expect(
        body.errors?.map((e) => e.path),
        path,
      ).toContain(path);
    }
  });

  it("fields that break the schema (422) with each field's path", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ keyboard: undefined }, "keyboard"],
      [{ keymap: "" }, "keymap"],
      [{ layout: "KEYMAP" }, "layout"],
      [{ layers: [] }, "layers"],
      [{ layers: "KC_A" }, "layers"],
      [{ layers: [["KC_A", "KC_B"], ["KC_A"]] }, "layers.1"],
      [{ layers: [["KC_A", "KC_FOO("]] }, "layers.0.1"],
      [{ author: 7 }, "author"],
    ];
    for (const [override, path] of cases) {
      const body = await expectError(await post(JSON.stringify(compileBody(override))), 422);
      expect(body.errors?.map((e) => e.path)).toContain(path);
    }
  });

  it("JSON that is not an object (422)", async () => {
    for (const text of ["[]", '"KC_A"', "null", "42", "true"]) await expectError(await post(text), 422);
  });

  it("too many requests from one client (429 with Retry-After)", async () => {
    const clientIp = "203.0.113.77";
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < target.rateLimitPerMinute * 2 + 1; i++) {
      const res = await target.fetch("/v1/compile", { ...json(compileBody()), clientIp });
      statuses.push(res.status);
      if (res.status === 429) {
        retryAfter = res.headers.get("retry-after");
        await expectError(res, 429);
      } else await res.body?.cancel();
    }
    expect(statuses).toContain(429);
    expect(statuses.slice(0, target.rateLimitPerMinute).every((s) => s === 200 || s === 429)).toBe(true);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    // Another client is not affected.
    expect(
      (await target.fetch("/v1/compile", { ...json(compileBody()), clientIp: "203.0.113.78" })).status,
    ).toBe(200);
  });
});
