import { LIMITS } from "@qmk-edge/schema";
import { describe, expect, it } from "vitest";
import { MAX_FIELD_ERRORS } from "./keymap-errors.ts";
import {
  type CompileRequestParse,
  parseCompileRequest,
  parseCompileRequestText,
} from "./parse-compile-request.ts";
import { minimalRequest, refusal } from "./testing/requests.ts";

const minimal = minimalRequest;

const paths = (result: CompileRequestParse) => refusal(result).errors.map((e) => e.path);

describe("parseCompileRequest names each field at fault", () => {
  it("reports a bad keycode with its layer and key index", () => {
    const result = refusal(
      parseCompileRequest({
        ...minimal,
        layers: [
          ["KC_A", "KC_B"],
          ["KC_C", "MO("],
        ],
      }),
    );
    expect(result.kind).toBe("invalid");
    expect(result.errors).toEqual([
      { path: "layers.1.1", message: `invalid keycode "MO(": unexpected end of keycode at 4` },
    ]);
  });

  it("reports every bad keycode, in layer and key order", () => {
    const layers = Array.from({ length: 12 }, (_, i) =>
      i === 3 || i === 11 ? ["KC_A;", "KC_B"] : ["KC_A", "KC_B"],
    );
    layers[10] = ["KC_A", "{"];
    expect(paths(parseCompileRequest({ ...minimal, layers }))).toEqual([
      "layers.3.0",
      "layers.10.1",
      "layers.11.0",
    ]);
  });

  it("reports schema and keycode errors together", () => {
    const result = parseCompileRequest({ ...minimal, keymap: "", layers: [["KC_A;", 7]] });
    expect(paths(result)).toEqual(["keymap", "layers.0.0", "layers.0.1"]);
  });

  it("refuses ragged layers, naming the short layer", () => {
    const result = refusal(parseCompileRequest({ ...minimal, layers: [["KC_A", "KC_B"], ["KC_A"]] }));
    expect(result.errors).toEqual([
      { path: "layers.1", message: "layer 1 has 1 keys, layer 0 has 2; all layers must be the same length" },
    ]);
  });

  it.each([
    [42, "number"],
    [null, "null"],
    [{ kc: "KC_A" }, "object"],
    [["KC_A"], "array"],
    [true, "boolean"],
  ])("refuses a non-string key %j at its path", (key, kind) => {
    const result = refusal(parseCompileRequest({ ...minimal, layers: [["KC_A", key]] }));
    expect(result.errors.map((e) => e.path)).toEqual(["layers.0.1"]);
    expect(result.errors[0]!.message).toBe(`Invalid input: expected string, received ${kind}`);
  });

  it.each([
    ["no layers", { ...minimal, layers: [] }, "layers"],
    ["an empty layer", { ...minimal, layers: [[]] }, "layers.0"],
    ["layers not an array", { ...minimal, layers: "KC_A" }, "layers"],
    ["a layer not an array", { ...minimal, layers: ["KC_A"] }, "layers.0"],
    ["missing keyboard", { keymap: "default", layout: "LAYOUT", layers: [["KC_A"]] }, "keyboard"],
    ["version not an integer", { ...minimal, version: "1" }, "version"],
  ])("refuses %s", (_name, body, path) => {
    expect(paths(parseCompileRequest(body))).toContain(path);
  });

  it.each([null, [], "a string", 7])("refuses a body that is not an object: %j", (body) => {
    expect(paths(parseCompileRequest(body))).toEqual([""]);
  });

  it(`refuses more than ${LIMITS.layers} layers and more than ${LIMITS.keysPerLayer} keys`, () => {
    const tooManyLayers = Array.from({ length: LIMITS.layers + 1 }, () => ["KC_A"]);
    expect(refusal(parseCompileRequest({ ...minimal, layers: tooManyLayers })).errors).toEqual([
      { path: "layers", message: `at most ${LIMITS.layers} layers` },
    ]);
    const tooManyKeys = [Array.from({ length: LIMITS.keysPerLayer + 1 }, () => "KC_A")];
    expect(refusal(parseCompileRequest({ ...minimal, layers: tooManyKeys })).errors).toEqual([
      { path: "layers.0", message: `at most ${LIMITS.keysPerLayer} keys per layer` },
    ]);
  });

  it("accepts exactly the limits", () => {
    const layers = Array.from({ length: LIMITS.layers }, () =>
      Array.from({ length: LIMITS.keysPerLayer }, () => "KC_A"),
    );
    expect(parseCompileRequest({ ...minimal, layers }).ok).toBe(true);
  });

  it(`caps the error list at ${MAX_FIELD_ERRORS}, saying how many more there were`, () => {
    const layers = [Array.from({ length: 200 }, () => "KC_A;")];
    const { errors } = refusal(parseCompileRequest({ ...minimal, layers }));
    expect(errors).toHaveLength(MAX_FIELD_ERRORS);
    expect(errors[0]!.path).toBe("layers.0.0");
    expect(errors.at(-1)).toEqual({
      path: "",
      message: `${200 - MAX_FIELD_ERRORS + 1} more errors not shown`,
    });
  });
});

describe("parseCompileRequestText tells too large, malformed and invalid apart", () => {
  it("refuses a body over the limit as too_large, before parsing it", () => {
    const body = `{"x": "${"a".repeat(LIMITS.bodyBytes)}"}`;
    const result = refusal(parseCompileRequestText(body));
    expect(result.kind).toBe("too_large");
    expect(result.errors).toEqual([
      { path: "", message: `request is ${body.length} bytes; the limit is ${LIMITS.bodyBytes} bytes` },
    ]);
  });

  it("counts UTF-8 bytes, not characters", () => {
    const body = JSON.stringify({ ...minimal, notes: "\u00e9".repeat(600) });
    expect(body.length).toBeLessThan(1000);
    expect(refusal(parseCompileRequestText(body, 1000)).kind).toBe("too_large");
    expect(refusal(parseCompileRequestText(new TextEncoder().encode(body), 1000)).kind).toBe("too_large");
  });

  it.each([
    ["{", "request is not valid JSON"],
    ["{'keyboard': 'a'}", "request is not valid JSON"],
    ["", "request is empty; expected a JSON object"],
    ["  \n", "request is empty; expected a JSON object"],
  ])("refuses %j as malformed_json", (body, message) => {
    const result = refusal(parseCompileRequestText(body));
    expect(result.kind).toBe("malformed_json");
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.path).toBe("");
    expect(result.errors[0]!.message).toContain(message);
  });

  it("refuses bytes that are not UTF-8 as malformed_json", () => {
    const result = refusal(parseCompileRequestText(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])));
    expect(result).toEqual({
      ok: false,
      kind: "malformed_json",
      errors: [{ path: "", message: "request is not valid UTF-8" }],
    });
  });

  it("refuses well-formed JSON that breaks the rules as invalid", () => {
    expect(refusal(parseCompileRequestText(JSON.stringify({ ...minimal, keymap: "a b" }))).kind).toBe(
      "invalid",
    );
  });
});
