import { describe, expect, it } from "vitest";
import { demoKeycodeHeaders } from "../test-support/demo-tree.ts";
import { parsedRequest } from "../test-support/requests.ts";
import { LEGACY_KEYCODES } from "./legacy-keycodes.ts";
import { keycodeNamesFromQmkSources } from "./qmk-keycode-names.ts";
import { translateKeycodes } from "./translate-keycodes.ts";

const tree2026 = new Set(
  [...keycodeNamesFromQmkSources({ headers: demoKeycodeHeaders() })].filter((n) => !LEGACY_KEYCODES.has(n)),
);

describe("translateKeycodes reports names the firmware does not define", () => {
  it("names each unknown keycode at its key, in path order", () => {
    const request = parsedRequest({
      layers: [
        ["KC_A", "KC_FOO"],
        ["LT(1, KC_BAR)", "FOO_T(KC_A)"],
      ],
    });
    expect(translateKeycodes(request, tree2026).errors).toEqual([
      { path: "layers.0.1", message: "unknown keycode KC_FOO for this firmware" },
      { path: "layers.1.0", message: "unknown keycode KC_BAR for this firmware" },
      { path: "layers.1.1", message: "unknown keycode function FOO_T() for this firmware" },
    ]);
  });

  it("says when QMK renamed a name the firmware lacks under both names", () => {
    const tree = new Set([...tree2026].filter((n) => n !== "UG_TOGG" && n !== "QK_UNDERGLOW_TOGGLE"));
    expect(translateKeycodes(parsedRequest({ layers: [["RGB_TOG"]] }), tree).errors).toEqual([
      {
        path: "layers.0.0",
        message:
          "unknown keycode RGB_TOG for this firmware (QMK renamed it UG_TOGG, which this firmware does not define either)",
      },
    ]);
  });

  it("still translates what it can beside an unknown name", () => {
    const result = translateKeycodes(parsedRequest({ layers: [["RGB_TOG", "KC_FOO"]] }), tree2026);
    expect(result.translations).toEqual([{ path: "layers.0.0", from: "RGB_TOG", to: "UG_TOGG" }]);
    expect(result.errors.map((e) => e.path)).toEqual(["layers.0.1"]);
  });

  it("refuses macros on a firmware without SEND_STRING", () => {
    const result = translateKeycodes(parsedRequest({ macros: [["hi"]] }), tree2026);
    expect(result.errors).toEqual([
      { path: "macros", message: "macros need SEND_STRING, which this firmware does not define" },
    ]);
    expect(translateKeycodes(parsedRequest({ macros: [] }), tree2026).errors).toEqual([]);
  });

  it("checks macro keys as the X_ names QMK sends", () => {
    const tree = new Set([...tree2026, "SEND_STRING", "X_LCTL", "X_C"]);
    const request = parsedRequest({
      macros: [
        [
          { action: "tap", keycodes: ["LCTL", "C"] },
          { action: "down", keycodes: ["KC_ENTER"] },
        ],
      ],
    });
    expect(translateKeycodes(request, tree).errors).toEqual([
      {
        path: "macros.0.1.keycodes.0",
        message: "unknown macro key KC_ENTER for this firmware (X_KC_ENTER is not defined)",
      },
    ]);
  });
});
