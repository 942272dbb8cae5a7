import { type Context, Hono, type MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { describe, expect, it } from "vitest";
import { jsonAnswer, publicCors } from "./public-cors.ts";

const options = {
  allowMethods: ["GET", "HEAD", "POST", "OPTIONS"],
  allowHeaders: ["Content-Type", "If-None-Match"],
  exposeHeaders: ["ETag", "Content-Disposition", "Content-Length", "Retry-After"],
  maxAge: 86400,
};

// The same routes behind hono/cors (what app.ts used before) and behind publicCors; /answer is what the hot
// routes send (jsonAnswer) where they sent c.json with a header set on the context.
function appWith(mw: MiddlewareHandler, hot: (c: Context) => Response): Hono {
  const app = new Hono();
  app.onError((err, c) => c.json({ code: 422, message: err.message }, 422, { "Retry-After": "5" }));
  app.notFound((c) => c.json({ code: 404, message: "none" }, 404));
  app.use(mw);
  app.get("/json", (c) => c.json({ ok: true }));
  app.get("/answer", hot);
  app.get("/etag", (c) => {
    c.header("ETag", '"abc"');
    return c.body(null, 304);
  });
  app.post("/throws", () => {
    throw new Error("refused");
  });
  app.get("/stream", () => {
    const body = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("firmware bytes"));
        controller.close();
      },
    });
    return new Response(body, { headers: { "Content-Disposition": "attachment; filename=x.hex" } });
  });
  app.get("/redirect", () => Response.redirect("https://example.test/elsewhere", 302));
  return app;
}

async function answer(app: Hono, path: string, init?: RequestInit) {
  const res = await app.request(path, init);
  return { status: res.status, headers: [...res.headers], body: await res.text() };
}

describe("publicCors", () => {
  const before = appWith(cors({ origin: "*", ...options }), (c) => {
    c.header("Cache-Control", "no-store");
    return c.json({ enqueued: true }, 201);
  });
  const after = appWith(publicCors(options), (c) =>
    jsonAnswer(c, JSON.stringify({ enqueued: true }), 201, { "cache-control": "no-store" }),
  );
  const origin = { origin: "https://config.example.test" };
  const cases: [string, RequestInit?][] = [
    ["/json", { headers: origin }],
    ["/json", { method: "HEAD", headers: origin }],
    ["/answer", { headers: origin }],
    ["/answer"],
    ["/etag"],
    ["/throws", { method: "POST", headers: origin }],
    ["/stream", { headers: origin }],
    ["/redirect"],
    ["/missing", { headers: origin }],
    [
      "/json",
      {
        method: "OPTIONS",
        headers: {
          ...origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "content-type",
        },
      },
    ],
  ];
  it.each(cases)("answers %s with the status, headers and body hono/cors gave", async (path, init) => {
    const expected = await answer(before, path, init);
    expect(expected.headers.map(([k]) => k)).toContain("access-control-allow-origin");
    expect(await answer(after, path, init)).toEqual(expected);
  });
});
