import { describe, expect, it } from "vitest";
import { sha256Hex } from "../src/bytes/sha256-hex.ts";
import { nodeSha256Hex } from "../src/node/sha256-hex.ts";

// Content keys made by a Node API and a Worker must agree (one build cache across runtimes and versions of
// the code): Node's hash is node:crypto, the Worker's Web Crypto.
describe("nodeSha256Hex", () => {
  it("gives the known digest", async () => {
    expect(await nodeSha256Hex("abc")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  it("equals Web Crypto's digest for strings (as UTF-8) and bytes", async () => {
    const bytes = new Uint8Array(10_000).map((_, i) => (i * 31 + 7) % 256);
    const inputs: Array<string | Uint8Array> = [
      "",
      '{"firmware_version":"demo-1","request":{"keyboard":"planck/rev6"}}',
      "ü€😀 non-ASCII",
      "a lone surrogate \uD800 and \uDFFF",
      bytes,
      new Uint8Array(0),
    ];
    for (const input of inputs) expect(await nodeSha256Hex(input)).toBe(await sha256Hex(input));
  });
});
