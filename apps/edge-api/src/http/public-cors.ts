import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";

export interface PublicCorsOptions {
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  maxAge: number;
}

// CORS for any origin, with the headers hono/cors sends. hono/cors sets them on `c.res` before the route
// runs, which makes Hono copy every answer into a new Response afterwards (on Node its body goes through
// a web stream). Here they go where the route's answer is made (c.header: c.json and the error handler
// include them), and only an answer the route built itself (new Response) is copied to add them.
// Preflights (OPTIONS) are hono/cors' own.
export function publicCors(options: PublicCorsOptions): MiddlewareHandler {
  const preflight = cors({ origin: "*", ...options });
  const headers: [string, string][] = [
    ["Access-Control-Allow-Origin", "*"],
    ["Access-Control-Expose-Headers", options.exposeHeaders.join(",")],
  ];
  return async (c, next) => {
    if (c.req.method === "OPTIONS") return preflight(c, next);
    for (const [name, value] of headers) c.header(name, value);
    await next();
    if (headers.every(([name, value]) => c.res.headers.get(name) === value)) return;
    const res = new Response(c.res.body, c.res);
    for (const [name, value] of headers) res.headers.set(name, value);
    c.res = res;
  };
}
