import type { Context, MiddlewareHandler } from "hono";
import { cors } from "hono/cors";

export interface PublicCorsOptions {
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  maxAge: number;
}

// The public CORS headers of a request's context, for jsonAnswer.
const corsOf = new WeakMap<Context, Record<string, string>>();
// Answers jsonAnswer built with the public CORS headers in them already.
const carryCors = new WeakSet<Response>();

// CORS for any origin, with the headers hono/cors sends. hono/cors sets them on `c.res` before the route
// runs, which makes Hono copy every answer into a new Response afterwards (on Node its body goes through a
// web stream); headers set with c.header() are a Headers object, which Node's adapter walks again to write
// them. The hot routes answer with jsonAnswer, whose plain headers include them; any other answer gets them
// added afterwards, into its own headers where they can change, else into a copy (a fetched or redirect
// Response). Preflights (OPTIONS) are hono/cors' own.
export function publicCors(options: PublicCorsOptions): MiddlewareHandler {
  const preflight = cors({ origin: "*", ...options });
  const headers: Record<string, string> = {
    "access-control-allow-origin": "*",
    "access-control-expose-headers": options.exposeHeaders.join(","),
  };
  const entries = Object.entries(headers);
  return async (c, next) => {
    if (c.req.method === "OPTIONS") return preflight(c, next);
    corsOf.set(c, headers);
    await next();
    if (carryCors.has(c.res)) return;
    try {
      for (const [name, value] of entries) c.res.headers.set(name, value);
    } catch {
      const res = new Response(c.res.body, c.res);
      for (const [name, value] of entries) res.headers.set(name, value);
      c.res = res;
    }
  };
}

// A JSON answer (text already serialized) as c.json would give it, with `headers` beside its Content-Type
// and the public CORS headers when publicCors runs for this request: one plain object, which no later step
// copies or walks as a Headers object.
export function jsonAnswer(
  c: Context,
  text: string,
  status = 200,
  headers: Record<string, string> = {},
): Response {
  const cors = corsOf.get(c);
  const res = new Response(text, {
    status,
    headers: { "content-type": "application/json", ...headers, ...cors },
  });
  if (cors) carryCors.add(res);
  return res;
}
