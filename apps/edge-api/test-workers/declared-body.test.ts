import { afterEach, describe, expect, it, vi } from "vitest";
import { readBodyBytes } from "../src/http/request-body.ts";
import { BodyTooLargeError } from "../src/http/request-errors.ts";
import { attachDeclaredBody } from "../src/workers/declared-body.ts";

// The Worker reads a request body with a Content-Length in one call (workers/declared-body.ts), not chunk by
// chunk through its stream; a body without one still goes through the stream, counted against the limit.

const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  new Request("http://api.test/v1/agent/lease", { method: "POST", body, headers });

describe("request bodies on Workers", () => {
  afterEach(() => vi.restoreAllMocks());

  it("reads a body with a Content-Length without its stream's reader", async () => {
    const text = JSON.stringify({ agent_id: "a", toolchains: ["avr"], firmware_version: "v" });
    const request = attachDeclaredBody(post(text, { "content-length": String(text.length) }));
    const getReader = vi.spyOn(ReadableStream.prototype, "getReader");
    expect(new TextDecoder().decode(await readBodyBytes(request, 1000))).toBe(text);
    expect(getReader).not.toHaveBeenCalled();
  });

  it("still refuses a declared length past the limit before reading", async () => {
    const request = attachDeclaredBody(post("x".repeat(100), { "content-length": "100" }));
    await expect(readBodyBytes(request, 10)).rejects.toBeInstanceOf(BodyTooLargeError);
  });

  it("counts a body without a Content-Length as it arrives, through its stream", async () => {
    const chunks = [new Uint8Array(8), new Uint8Array(8)];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = chunks.shift();
        if (chunk) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const request = attachDeclaredBody(post(stream));
    expect(request.headers.get("content-length")).toBeNull();
    await expect(readBodyBytes(request, 10)).rejects.toBeInstanceOf(BodyTooLargeError);
  });
});
