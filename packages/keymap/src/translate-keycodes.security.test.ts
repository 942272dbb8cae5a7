import { describe, expect, it } from "vitest";
import { readKeymapC } from "../test-support/keymap-c-reader.ts";
import { parsedRequest } from "../test-support/requests.ts";
import { generateKeymapC } from "./keymap-c.ts";
import { LEGACY_KEYCODES } from "./legacy-keycodes.ts";
import { translateKeycodes } from "./translate-keycodes.ts";

describe("translateKeycodes with hostile names", () => {
  it.each(["__proto__", "constructor", "hasOwnProperty", "toString", "prototype"])(
    "treats %s as an ordinary unknown name",
    (name) => {
      const result = translateKeycodes(parsedRequest({ layers: [[name]] }), new Set(["KC_A"]));
      expect(result.errors).toEqual([
        { path: "layers.0.0", message: `unknown keycode ${name} for this firmware` },
      ]);
      expect(result.translations).toEqual([]);
    },
  );

  it("writes only names from the request or the rename table into the C", () => {
    const old = [...LEGACY_KEYCODES.keys()];
    const request = parsedRequest({ layout: "LAYOUT", layers: [old] });
    const tree = new Set([...LEGACY_KEYCODES.values()].flat());
    const result = translateKeycodes(request, tree);
    expect(result.errors).toEqual([]);
    const keys = readKeymapC(generateKeymapC(result.request))[0]!.keys;
    expect(keys).toEqual(old.map((name) => LEGACY_KEYCODES.get(name)![0]));
  });

  it("returns a sealed request: a copy of it is refused by the generators", () => {
    const result = translateKeycodes(parsedRequest({ layers: [["RESET"]] }), new Set(["QK_BOOT"]));
    expect(Object.isFrozen(result.request)).toBe(true);
    expect(() => generateKeymapC({ ...result.request })).toThrow(/not produced by parseCompileRequest/);
  });
});
