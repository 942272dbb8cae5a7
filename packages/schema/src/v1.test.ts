import { describe, expect, it } from "vitest";
import { agentJob, completeRequest, leaseRequest, leaseResponse } from "./agent-protocol.ts";
import { canonicalCompileRequest, compileRequest } from "./compile-request.ts";
import { fieldErrors } from "./field-errors.ts";
import { cacheEntry, jobRecord } from "./job.ts";
import { publicJsonSchemas } from "./json-schema.ts";
import { compileEnqueued, compileStatus, errorBody, serviceStatus } from "./v1.ts";

const id = "0123456789abcdef0123456789abcdef";
const sha = "a".repeat(64);
const at = "2026-11-27T06:00:00.000Z";
const request = {
  keyboard: "handwired/edge_pad",
  keymap: "mine",
  layout: "LAYOUT_ortho_4x4",
  layers: [["KC_A"]],
};
const url = (p: string) => [`https://api.example/v1/compile/${id}/${p}`];

const finishedStatus = {
  created_at: at,
  enqueued_at: at,
  id,
  is_failed: false,
  status: "finished",
  is_finished: true,
  is_queued: false,
  is_started: true,
  result: {
    id,
    keyboard: "handwired/edge_pad",
    layout: "LAYOUT_ortho_4x4",
    keymap: "mine",
    command: "make handwired/edge_pad:mine",
    returncode: 0,
    output: "Linking: .build/handwired_edge_pad_mine.elf [OK]",
    firmware: null,
    firmware_filename: "handwired_edge_pad_mine.hex",
    keymap_archive: "handwired-edge_pad-mine.json",
    source_archive: "qmk_firmware-handwired-edge_pad-mine.zip",
    firmware_binary_url: url("download"),
    firmware_keymap_url: url("keymap"),
    firmware_source_url: url("source"),
  },
};

// Each wire shape must survive JSON text and parse back to an equal value: what a client reads is what we sent.
const roundTrips: Array<[string, { parse(v: unknown): unknown }, unknown]> = [
  ["POST /v1/compile", compileEnqueued, { enqueued: true, job_id: id }],
  [
    "GET /v1/compile/:id queued",
    compileStatus,
    {
      created_at: at,
      enqueued_at: at,
      id,
      is_failed: false,
      status: "queued",
      result: null,
      queue_position: 3,
      stage: null,
    },
  ],
  [
    "GET /v1/compile/:id running",
    compileStatus,
    {
      created_at: at,
      enqueued_at: at,
      id,
      is_failed: false,
      status: "running",
      result: null,
      stage: "compiling",
      attempts: 1,
    },
  ],
  ["GET /v1/compile/:id finished", compileStatus, finishedStatus],
  [
    "GET /v1/compile/:id failed",
    compileStatus,
    {
      ...finishedStatus,
      status: "failed",
      is_failed: true,
      result: { ...finishedStatus.result, returncode: 2, firmware_filename: null },
    },
  ],
  [
    "GET /v1",
    serviceStatus,
    {
      status: "degraded",
      version: "0.1.0",
      queue_length: 0,
      running_jobs: 0,
      oldest_queued_age_seconds: null,
      agents_seen: 0,
      agents_window_seconds: 60,
      last_agent_seen_at: null,
      firmware_version: "demo-1",
    },
  ],
  [
    "error",
    errorBody,
    { code: 422, message: "invalid request", errors: [{ path: "layers.0.0", message: "invalid keycode" }] },
  ],
  [
    "lease request",
    leaseRequest,
    { agent_id: "desk-1", toolchains: ["avr", "arm"], firmware_version: "demo-1", wait_ms: 25000 },
  ],
  [
    "lease response",
    leaseResponse,
    {
      job: { id, request, content_key: sha, firmware_version: "demo-1", attempts: 0 },
      lease_id: "l".repeat(32),
      lease_expires_at: at,
    },
  ],
  [
    "complete",
    completeRequest,
    {
      lease_id: "l".repeat(32),
      status: "finished",
      returncode: 0,
      output: "ok",
      command: "make x:y",
      firmware_filename: "x_y.hex",
      toolchain: "avr",
      timings: { compile_ms: 812 },
    },
  ],
];

describe("v1 and protocol shapes round-trip through JSON", () => {
  for (const [name, schema, value] of roundTrips) {
    it(name, () => {
      expect(schema.parse(JSON.parse(JSON.stringify(value)))).toEqual(value);
    });
  }

  it("refuses a status object with an unknown status value", () => {
    expect(() => compileStatus.parse({ ...finishedStatus, status: "started" })).toThrow();
  });

  it("refuses result URLs that are not one absolute URL", () => {
    const bad = {
      ...finishedStatus,
      result: { ...finishedStatus.result, firmware_binary_url: ["/relative"] },
    };
    expect(() => compileStatus.parse(bad)).toThrow();
  });

  it("a job record and cache entry round-trip", () => {
    const record = {
      schema_version: 1,
      id,
      created_at: at,
      enqueued_at: at,
      started_at: at,
      finished_at: at,
      status: "finished",
      stage: null,
      attempts: 0,
      max_attempts: 3,
      lease: { id: "l".repeat(32), agent_id: "desk-1", expires_at: at },
      history: [{ at, status: "queued", stage: null }],
      request,
      content_key: sha,
      firmware_version: "demo-1",
      toolchain: "avr",
      cache_hit_of: null,
      artifacts: {
        firmware: {
          key: `artifacts/${sha}`,
          sha256: sha,
          size: 10,
          filename: "x.hex",
          content_type: "application/octet-stream",
        },
      },
      result: {
        returncode: 0,
        output: "",
        command: "make x:y",
        firmware_filename: "x.hex",
        toolchain: "avr",
        timings: {},
      },
      failure_reason: null,
    };
    expect(jobRecord.parse(JSON.parse(JSON.stringify(record)))).toEqual(record);
    const entry = {
      content_key: sha,
      job_id: id,
      firmware_version: "demo-1",
      artifacts: record.artifacts,
      result: record.result,
      created_at: at,
    };
    expect(cacheEntry.parse(entry)).toEqual(entry);
    expect(
      agentJob.parse({ id, request, content_key: sha, firmware_version: "demo-1", attempts: 2 }).attempts,
    ).toBe(2);
  });
});

describe("compile request", () => {
  it("keeps the built fields in the canonical form, leaving out version", () => {
    const parsed = compileRequest.parse({
      ...request,
      encoders: [[{ ccw: "KC_VOLD", cw: "KC_VOLU" }]],
      config: { tapping: { term: 180 } },
      version: 1,
      notes: "hi",
    });
    expect(Object.keys(canonicalCompileRequest(parsed))).toEqual([
      "keyboard",
      "keymap",
      "layout",
      "layers",
      "notes",
      "encoders",
      "config",
    ]);
  });

  it("refuses an unknown field by its name, without echoing it in the message", () => {
    const res = compileRequest.safeParse({ ...request, coonfig: { features: { via: true } }, version: 1 });
    expect(res.error && fieldErrors(res.error)).toEqual([
      {
        path: "coonfig",
        message: expect.stringMatching(/^unknown field; a keymap has keyboard, keymap, .*config/),
      },
    ]);
    expect(res.error && fieldErrors(res.error)[0]?.message).not.toContain("coonfig");
  });

  it("refuses the keymap.json fields it does not build, each by name and with the reason", () => {
    const res = compileRequest.safeParse({
      ...request,
      host_language: "german",
      modules: ["qmk/hello_world"],
      dip_switches: [{ on: "KC_A", off: "KC_B" }],
    });
    const errors = res.error ? fieldErrors(res.error) : [];
    expect(errors.map((e) => e.path).sort()).toEqual(["dip_switches", "host_language", "modules"]);
    expect(errors.find((e) => e.path === "modules")?.message).toMatch(/community modules/);
  });

  it("canonical form does not depend on key order", () => {
    const a = canonicalCompileRequest(compileRequest.parse(request));
    const b = canonicalCompileRequest(
      compileRequest.parse({
        layers: request.layers,
        layout: request.layout,
        keymap: "mine",
        keyboard: request.keyboard,
      }),
    );
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it("keeps macros in the canonical form, so they split the build cache", () => {
    const macros = [["hi", { action: "tap", keycodes: ["ENTER"] }]];
    const parsed = compileRequest.parse({ ...request, notes: "n", macros });
    expect(Object.keys(canonicalCompileRequest(parsed))).toEqual([
      "keyboard",
      "keymap",
      "layout",
      "layers",
      "macros",
      "notes",
    ]);
    expect(canonicalCompileRequest(parsed).macros).toEqual(macros);
    const reordered = compileRequest.parse({
      ...request,
      macros: [["hi", { keycodes: ["ENTER"], action: "tap" }]],
    });
    expect(JSON.stringify(canonicalCompileRequest(reordered).macros)).toBe(JSON.stringify(macros));
  });

  it("reports the union branch the value's type picked, naming the field inside it", () => {
    const res = compileRequest.safeParse({
      ...request,
      macros: [["ok", { action: "tap", keycodes: [] }, 7, { action: "x" }]],
    });
    expect(res.success).toBe(false);
    expect(res.error && fieldErrors(res.error)).toEqual([
      { path: "macros.0.1.keycodes", message: "at least one keycode" },
      { path: "macros.0.2", message: "Invalid input: expected string or object, received number" },
      { path: "macros.0.3.action", message: "expected an action of beep, delay, down, tap, up" },
    ]);
  });

  it("names unknown action fields by what is allowed, never echoing the client's key", () => {
    const res = compileRequest.safeParse({ ...request, macros: [[{ action: "beep", "\u001b[2J": 1 }]] });
    expect(res.error && fieldErrors(res.error)).toEqual([
      { path: "macros.0.0", message: 'a beep action takes only "action"' },
    ]);
  });

  it("names the ragged layer", () => {
    const res = compileRequest.safeParse({ ...request, layers: [["KC_A", "KC_B"], ["KC_A"]] });
    expect(res.success).toBe(false);
    expect(res.error?.issues.map((i) => i.path.join("."))).toContain("layers.1");
  });
});

describe("JSON Schema export", () => {
  it("describes the public request and responses", () => {
    const schemas = publicJsonSchemas() as Record<string, { type?: string; required?: string[] }>;
    expect(Object.keys(schemas).sort()).toEqual([
      "CompileEnqueued",
      "CompileRequest",
      "CompileStatus",
      "Error",
      "KeyboardInfo",
      "KeyboardList",
      "KeymapSkeleton",
      "ServiceStatus",
    ]);
    expect(schemas.CompileRequest?.required).toEqual(
      expect.arrayContaining(["keyboard", "keymap", "layout", "layers"]),
    );
    expect(schemas.CompileStatus?.type).toBe("object");
  });
});
