import { describe, expect, it } from "vitest";
import { target } from "#test-target";

// One origin (issue 18): a built web app (QMK Configurator) served by the same Worker or Node process as /v1,
// so its downloads and calls need no CORS. Tests use a tiny stand-in (test-support/static-site), configured
// as Workers static assets (vitest.workers.config.ts) and as STATIC_DIR on Node (target.node.ts).

describe("static files beside /v1: happy", () => {
  it("serves the app's index.html at / and its scripts", async () => {
    const index = await target.fetch("/");
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toMatch(/^text\/html/);
    expect(await index.text()).toContain("qmk-edge static fixture");

    const script = await target.fetch("/js/app.js");
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/javascript/);
    expect(await script.text()).toContain("script ran");
  });

  it("leaves /v1 to the API: its routes and its JSON 404", async () => {
    const status = await target.fetch("/v1");
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ firmware_version: target.firmwareVersion });
    const missing = await target.fetch("/v1/no-such-route");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: 404 });
  });
});

describe("static files beside /v1: security", () => {
  it("answers 404 JSON for files it does not have, dotfiles and paths that climb out", async () => {
    for (const path of [
      "/no-such-file.js",
      "/.hidden",
      "/%2e%2e/package.json",
      "/js/..%2f..%2fpackage.json",
      "/..%5c..%5cpackage.json",
    ]) {
      const res = await target.fetch(path);
      expect(res.status, path).toBe(404);
      const text = await res.text();
      expect(text, path).not.toContain("@qmk-edge/edge-api");
    }
  });

  it("serves files to GET and HEAD only", async () => {
    const post = await target.fetch("/js/app.js", { method: "POST", body: "x" });
    expect([404, 405]).toContain(post.status);
    await post.body?.cancel();
  });
});
