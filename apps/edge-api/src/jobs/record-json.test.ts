import { describe, expect, it } from "vitest";
import { recordJson, shareJson } from "./record-json.ts";

const request = () => ({
  keyboard: "handwired/edge_pad",
  keymap: "mine",
  layout: "LAYOUT_ortho_4x4",
  layers: [["KC_A", 'KC_"QUOTED"\n', ...Array(14).fill("KC_B")]],
});
const result = () => ({
  returncode: 0,
  output: "tab\there, ünïcode, \u2028 and a \\ backslash\n",
  command: "make",
});

describe("recordJson", () => {
  it("is JSON.stringify's text, byte for byte, where nothing is shared", () => {
    const record = { id: "a", request: request(), result: result(), lease: null, note: undefined, n: 3 };
    expect(recordJson(record)).toBe(JSON.stringify(record));
  });

  it("gives the same value as JSON.stringify with shared parts, their keys last", () => {
    const shared = { request: shareJson(request()), result: shareJson(result()) };
    const record = {
      id: "b",
      request: shared.request,
      status: "finished",
      result: shared.result,
      gone: undefined,
    };
    const text = recordJson(record);
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(record)));
    expect(Object.keys(JSON.parse(text))).toEqual(["id", "status", "request", "result"]);
    // A second record with the same shared objects, and one holding nothing else.
    expect(JSON.parse(recordJson({ ...record, id: "c" }))).toEqual({ ...JSON.parse(text), id: "c" });
    expect(recordJson({ result: shared.result })).toBe(JSON.stringify({ result: shared.result }));
  });

  it("freezes what it shares, deeply, so the text it keeps cannot go stale", () => {
    const shared = shareJson(request());
    expect(recordJson({ request: shared })).toBe(JSON.stringify({ request: request() }));
    expect(() => {
      (shared.layers[0] as string[])[0] = "KC_Z";
    }).toThrow(TypeError);
    expect(() => {
      (shared as { keymap: string }).keymap = "other";
    }).toThrow(TypeError);
    expect(recordJson({ request: shared })).toBe(JSON.stringify({ request: request() }));
  });

  it("shares objects only: other values pass through", () => {
    expect(shareJson("text")).toBe("text");
    expect(shareJson(null)).toBe(null);
    expect(recordJson({})).toBe("{}");
  });
});
