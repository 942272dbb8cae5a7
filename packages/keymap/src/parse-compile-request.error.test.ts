import { LIMITS } from "@qmk-edge/schema";
import { describe, expect, it } from "vitest";
import { minimalRequest, refusal } from "../test-support/requests.ts";
import { MAX_FIELD_ERRORS } from "./keymap-errors.ts";
import {
  type CompileRequestParse,
  parseCompileRequest,
  parseCompileRequestText,
} from "./parse-compile-request.ts";

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

  it("reports a bad encoder keycode at its layer, encoder and direction", () => {
    const result = refusal(
      parseCompileRequest({
        ...minimal,
        encoders: [
          [
            { ccw: "KC_VOLD", cw: "KC_VOLU" },
            { ccw: "KC_A", cw: "MO(" },
          ],
          [
            { ccw: "KC_A", cw: "KC_B" },
            { ccw: "LT(", cw: "KC_B" },
          ],
        ],
      }),
    );
    expect(result.errors.map((e) => e.path)).toEqual(["encoders.0.1.cw", "encoders.1.1.ccw"]);
  });

  it("reports a key the schema refused once, at its path, not again for its grammar", () => {
    const long = `KC_${"A".repeat(LIMITS.keycodeChars)}(`;
    const result = refusal(
      parseCompileRequest({ ...minimal, layers: [["KC_A", long]], encoders: [[{ ccw: long, cw: "KC_A" }]] }),
    );
    expect(result.errors.map((e) => e.path).sort()).toEqual(["encoders.0.0.ccw", "layers.0.1"]);
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

describe("parseCompileRequest names each macro field at fault", () => {
  const errorsOf = (macros: unknown) => refusal(parseCompileRequest({ ...minimal, macros })).errors;

  it("refuses a key name outside the keycode grammar at its path", () => {
    expect(
      errorsOf([["hi", { action: "tap", keycodes: ["A"] }, { action: "tap", keycodes: ["LCTL", "C;"] }]]),
    ).toEqual([{ path: "macros.0.2.keycodes.1", message: `invalid macro key "C;": unexpected ';' at 2` }]);
  });

  it.each(["LT(1, KC_A)", "LCTL | LSFT", "ANY(A)", "0x04", "12"])(
    "refuses %j, which is not one key name",
    (key) => {
      expect(errorsOf([[{ action: "down", keycodes: [key] }]])).toEqual([
        {
          path: "macros.0.0.keycodes.0",
          message: `invalid macro key ${JSON.stringify(key)}: expected one key name such as LCTL or ENTER (QMK sends X_<name>)`,
        },
      ]);
    },
  );

  it.each([
    [
      { action: "press", keycodes: ["A"] },
      "macros.0.0.action",
      "expected an action of beep, delay, down, tap, up",
    ],
    [{ keycodes: ["A"] }, "macros.0.0.action", "expected an action of beep, delay, down, tap, up"],
    [{ action: "tap" }, "macros.0.0.keycodes", "Invalid input: expected array, received undefined"],
    [{ action: "tap", keycodes: [] }, "macros.0.0.keycodes", "at least one keycode"],
    [{ action: "up", keycodes: Array(17).fill("A") }, "macros.0.0.keycodes", "at most 16 keycodes"],
    [
      { action: "tap", keycodes: [4] },
      "macros.0.0.keycodes.0",
      "Invalid input: expected string, received number",
    ],
    [{ action: "delay", duration: 10_001 }, "macros.0.0.duration", "at most 10000 ms"],
    [{ action: "delay", duration: 4_294_967_296 }, "macros.0.0.duration", "at most 10000 ms"],
    [{ action: "delay", duration: -1 }, "macros.0.0.duration", "at least 0 ms"],
    [{ action: "delay", duration: 0.5 }, "macros.0.0.duration", "a whole number of milliseconds"],
    [
      { action: "delay", duration: "100" },
      "macros.0.0.duration",
      "Invalid input: expected number, received string",
    ],
    [{ action: "delay" }, "macros.0.0.duration", "Invalid input: expected number, received undefined"],
    [{ action: "beep", keycodes: ["A"] }, "macros.0.0", 'a beep action takes only "action"'],
    [
      { action: "delay", duration: 1, x: 1 },
      "macros.0.0",
      'a delay action takes only "action" and "duration"',
    ],
    [
      { action: "tap", keycodes: ["A"], duration: 1 },
      "macros.0.0",
      'a tap action takes only "action" and "keycodes"',
    ],
    [42, "macros.0.0", "Invalid input: expected string or object, received number"],
    [null, "macros.0.0", "Invalid input: expected string or object, received null"],
    [["A"], "macros.0.0", "Invalid input: expected string or object, received array"],
  ])("refuses step %j at %s", (step, path, message) => {
    expect(errorsOf([[step]])).toEqual([{ path, message }]);
  });

  it("refuses a delay too large to be a whole number of milliseconds", () => {
    expect(errorsOf([[{ action: "delay", duration: 1e300 }]])).toEqual([
      { path: "macros.0.0.duration", message: "a whole number of milliseconds" },
      { path: "macros.0.0.duration", message: "at most 10000 ms" },
    ]);
  });

  it.each([
    [null, "macros", "Invalid input: expected array, received null"],
    ["Hello", "macros", "Invalid input: expected array, received string"],
    [["Hello"], "macros.0", "Invalid input: expected array, received string"],
    [[[]], "macros.0", "a macro needs at least one step"],
    [[[""]], "macros.0", "a macro must type something; all its text is empty"],
    [[["", ""]], "macros.0", "a macro must type something; all its text is empty"],
    [Array.from({ length: 33 }, () => ["x"]), "macros", "at most 32 macros (QK_MACRO_0 to QK_MACRO_31)"],
    [[Array(257).fill("x")], "macros.0", "at most 256 steps"],
    [[["x".repeat(4096)]], "macros.0.0", "at most 4095 characters"],
  ])("refuses macros %#", (macros, path, message) => {
    expect(errorsOf(macros)).toEqual([{ path, message }]);
  });

  it("reports schema, macro and keycode errors together, in path order", () => {
    const result = refusal(
      parseCompileRequest({
        ...minimal,
        layers: [["KC_A;", "KC_B"]],
        macros: [[{ action: "jump" }, { action: "tap", keycodes: ["A(1)"] }, "caf\u00e9"]],
      }),
    );
    expect(result.errors.map((e) => e.path)).toEqual([
      "layers.0.0",
      "macros.0.0.action",
      "macros.0.1.keycodes.0",
      "macros.0.2",
    ]);
  });
});
