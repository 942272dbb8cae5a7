import { compileEnqueued } from "@qmk-edge/schema";
import { describe, expect, it } from "vitest";
import { target } from "#test-target";
import { compileBody, json, status } from "../../test-support/api-client.ts";

describe("POST /v1/compile", () => {
  it("answers { enqueued: true, job_id } exactly as qmk_api does, with a 128-bit id", async () => {
    const res = await target.fetch("/v1/compile", json(compileBody()));
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(Object.keys(body as object).sort()).toEqual(["enqueued", "job_id"]);
    const { job_id } = compileEnqueued.parse(body);
    expect(job_id).toMatch(/^[0-9a-f]{32}$/);
    expect((await status(target, job_id)).status).toBe("queued");
  });

  it("accepts a JSON content type with parameters, and keymap.json's other fields", async () => {
    const body = compileBody({
      config: { features: { tri_layer: true }, tapping: { term: 180, permissive_hold: true } },
      encoders: [[{ ccw: "KC_VOLD", cw: "KC_VOLU" }], [{ ccw: "KC_TRNS", cw: "KC_TRNS" }]],
      keycodes: [{ key: "MY_KEY", aliases: ["MK"] }],
      notes: "hi",
      documentation: "doc",
      branch: "master",
    });
    const res = await target.fetch(
      "/v1/compile",
      json(body, { "content-type": "application/json; charset=utf-8" }),
    );
    expect(res.status).toBe(200);
  });

  it("accepts 20 concurrent submissions, each with its own id", async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        target.fetch("/v1/compile", json(compileBody())).then((r) => r.json()),
      ),
    );
    const ids = answers.map((a) => compileEnqueued.parse(a).job_id);
    expect(new Set(ids).size).toBe(20);
    const states = await Promise.all(ids.map((id) => status(target, id)));
    expect(states.every((s) => s.status === "queued")).toBe(true);
  });

  it("is open to browsers on any origin (CORS), including the preflight", async () => {
    const preflight = await target.fetch("/v1/compile", {
      method: "OPTIONS",
      headers: {
        origin: "https://config.qmk.fm",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-methods")).toMatch(/POST/);

    const res = await target.fetch("/v1/compile", json(compileBody(), { origin: "https://config.qmk.fm" }));
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });
});
