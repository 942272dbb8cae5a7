import { describe, expect, it } from "vitest";
import { keycodeNamesFromQmkSources } from "./qmk-keycode-names.ts";

describe("keycodeNamesFromQmkSources refuses what it cannot read", () => {
  it("names the hjson text that is not QMK keycode hjson", () => {
    expect(() =>
      keycodeNamesFromQmkSources({ hjson: ['{"keycodes": {}}', '{"keycodes": {"0x1": '] }),
    ).toThrow(/^hjson\[1\] is not QMK keycode hjson: /);
  });

  it("skips entries that are not names, and files that hold no keycodes", () => {
    const hjson = JSON.stringify({
      keycodes: {
        "0x1": { key: "KC_A); evil(", aliases: ["!reset!", 7, null, "KC_OK"] },
        "0x2": 5,
        "0x3": null,
      },
    });
    expect([...keycodeNamesFromQmkSources({ hjson: [hjson, "[]", '{"other": 1}'] })]).toEqual(["KC_OK"]);
  });

  it("survives unterminated comments and strings in a header", () => {
    expect([
      ...keycodeNamesFromQmkSources({ headers: ['#define A 1\n"never closed', "#define B /* never closed"] }),
    ]).toEqual(["A", "B"]);
  });
});
