import { describe, expect, it } from "vitest";
import { demoKeycodeHeaders } from "../test-support/demo-tree.ts";
import { parsedRequest } from "../test-support/requests.ts";
import { closestName } from "./did-you-mean.ts";
import { LEGACY_KEYCODES } from "./legacy-keycodes.ts";
import { keycodeNamesFromQmkSources } from "./qmk-keycode-names.ts";
import { translateKeycodes } from "./translate-keycodes.ts";

const tree2026 = new Set(
  [...keycodeNamesFromQmkSources({ headers: demoKeycodeHeaders() })].filter((n) => !LEGACY_KEYCODES.has(n)),
);
const same = (names: string[]) => names.map((n): [string, string] => [n, n]);

describe("closestName", () => {
  it("finds one typo, a swap of neighbours, and a wrong case", () => {
    const names = same(["KC_ENTER", "KC_ESCAPE", "KC_SPACE", "QK_BOOT", "KC_A"]);
    expect(closestName("KC_ENTRE", names)).toBe("KC_ENTER");
    expect(closestName("KC_ESCAEP", names)).toBe("KC_ESCAPE");
    expect(closestName("kc_space", names)).toBe("KC_SPACE");
    expect(closestName("QK_BOTO", names)).toBe("QK_BOOT");
  });

  it("gives no hint for a short name one edit from another, or a name far from all", () => {
    const names = same(["KC_A", "KC_B", "KC_F", "MO", "LT"]);
    expect(closestName("KC_C", names)).toBeNull();
    expect(closestName("KC_FOO", names)).toBeNull();
    expect(closestName("TD", names)).toBeNull();
    expect(closestName("SOMETHING_ELSE", names)).toBeNull();
  });

  it("suggests what a legacy name builds as today, and breaks ties the same way every time", () => {
    expect(closestName("MU_MODE", [["MU_MOD", "MU_NEXT"]])).toBe("MU_NEXT");
    const tie = same(["KC_ABCD", "KC_ABCE"]);
    expect(closestName("KC_ABCF", tie)).toBe("KC_ABCD");
    expect(closestName("KC_ABCF", [...tie].reverse())).toBe("KC_ABCD");
  });
});

describe("translateKeycodes says what an unknown name is close to", () => {
  it("in the message of the key that uses it", () => {
    const result = translateKeycodes(
      parsedRequest({ layers: [["KC_ENTR", "LT(1, KC_SPCE)", "UG_TOG"]] }),
      tree2026,
    );
    expect(result.errors).toEqual([
      {
        path: "layers.0.0",
        message: expect.stringMatching(
          /^unknown keycode KC_ENTR for this firmware; did you mean KC_ENT(ER)?\?$/,
        ),
      },
      { path: "layers.0.1", message: "unknown keycode KC_SPCE for this firmware; did you mean KC_SPC?" },
      { path: "layers.0.2", message: "unknown keycode UG_TOG for this firmware; did you mean UG_TOGG?" },
    ]);
  });

  it("through a rename the firmware's catalogue gives", () => {
    const renames = new Map([["MU_MOD", "MU_NEXT"]]);
    const defined = new Set([...tree2026].filter((n) => n !== "MU_MOD"));
    const result = translateKeycodes(parsedRequest({ layers: [["MU_MODE", "MU_MOD"]] }), defined, {
      renames,
    });
    expect(result.errors).toEqual([
      { path: "layers.0.0", message: "unknown keycode MU_MODE for this firmware; did you mean MU_NEXT?" },
    ]);
    expect(result.translations).toEqual([{ path: "layers.0.1", from: "MU_MOD", to: "MU_NEXT" }]);
  });

  it("looks for the first 20 distinct unknown names of a request only (each is a pass over every name)", () => {
    // 25 names, each one letter longer than a name the tree defines: every one would get a hint.
    const layer = [...tree2026]
      .filter((n) => /^KC_[A-Z]{4,}$/.test(n))
      .sort()
      .slice(0, 25)
      .map((n) => `${n}Q`);
    expect(layer).toHaveLength(25);
    const { errors } = translateKeycodes(parsedRequest({ layers: [layer, layer] }), tree2026);
    expect(errors).toHaveLength(50);
    const hinted = errors.map((e) => e.message.includes("; did you mean "));
    expect(hinted.slice(0, 25)).toEqual([...Array(20).fill(true), ...Array(5).fill(false)]);
    expect(hinted.slice(25)).toEqual(hinted.slice(0, 25)); // the same name gets the same answer
  });
});
