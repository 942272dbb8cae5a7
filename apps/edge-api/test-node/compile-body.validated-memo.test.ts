// POST /v1/compile's validation (routes/v1_compile_create.body.ts) keeps what it made of a body that passed, by the
// bytes' digest, the firmware version and the catalogue: the same bytes again are not decoded, parsed or
// keyed again. What changes the answer (other bytes, a refused body, a body too large to keep) is validated.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FsBlobStore } from "../src/adapters/blob-store/fs.ts";
import { InvalidInputError, MalformedRequestError } from "../src/http/request-errors.ts";
import { nodeSha256Hex } from "../src/node/sha256-hex.ts";
import { validateCompileBody } from "../src/routes/v1_compile_create.body.ts";

const dir = mkdtempSync(join(tmpdir(), "qmk-edge-validated-"));
const blobs = new FsBlobStore(dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const deps = (firmwareVersion = "memo-test-1") => ({
  blobs,
  sha256Hex: nodeSha256Hex,
  config: { firmwareVersion },
});
const request = {
  keyboard: "handwired/edge_pad",
  keymap: "memo",
  layout: "LAYOUT_ortho_4x4",
  layers: [Array.from({ length: 16 }, () => "KC_A")],
};
const bytesOf = (text: string) => new TextEncoder().encode(text);

describe("validateCompileBody", () => {
  it("answers the same bytes with what it made of them, without decoding them again", async () => {
    const body = bytesOf(JSON.stringify(request));
    const firstSeen: { body?: unknown } = {};
    const first = await validateCompileBody(deps(), body, firstSeen);
    expect(firstSeen.body).toEqual(request);
    expect(Object.isFrozen(first)).toBe(true);

    const againSeen: { body?: unknown } = {};
    expect(await validateCompileBody(deps(), body, againSeen)).toBe(first);
    expect(againSeen).toEqual({});
    // The same request in other bytes is validated again, to the same key.
    const spaced = await validateCompileBody(deps(), bytesOf(JSON.stringify(request, null, 1)), {});
    expect(spaced).not.toBe(first);
    expect(spaced.contentKey).toBe(first.contentKey);
    // Another firmware version is another key.
    const other = await validateCompileBody(deps("memo-test-2"), body, {});
    expect(other.contentKey).not.toBe(first.contentKey);
  });

  it("refuses a refused body every time it is sent", async () => {
    const bad = bytesOf(JSON.stringify({ ...request, layers: [["KC_NOPE(("]] }));
    for (let i = 0; i < 2; i++)
      await expect(validateCompileBody(deps(), bad, {})).rejects.toBeInstanceOf(InvalidInputError);
    const notJson = bytesOf("{ not json");
    for (let i = 0; i < 2; i++)
      await expect(validateCompileBody(deps(), notJson, {})).rejects.toBeInstanceOf(MalformedRequestError);
  });

  it("keeps no body over 64 KiB", async () => {
    const large = bytesOf(`${JSON.stringify(request)}${" ".repeat(64 * 1024)}`);
    const first = await validateCompileBody(deps(), large, {});
    const seen: { body?: unknown } = {};
    expect(await validateCompileBody(deps(), large, seen)).not.toBe(first);
    expect(seen.body).toEqual(request);
  });
});
