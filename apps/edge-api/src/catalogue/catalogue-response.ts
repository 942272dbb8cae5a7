import type { Context } from "hono";
import type { AppEnv } from "../deps.ts";
import { etagMatches } from "../http/etag.ts";

// Catalogue answers change only when a new catalogue is published, so edges and browsers may keep them for
// five minutes and revalidate with the ETag after that.
const CACHE_CONTROL = "public, max-age=300";

// `etag` is derived from the sha256 of what the body is made of, so equal tags mean equal bytes. nosniff: a
// readme or info.json holds text agents published; a browser must never sniff it into HTML or script.
export function catalogueResponse(
  c: Context<AppEnv>,
  answer: { etag: string; contentType: string; body: string },
): Response {
  const etag = `"${answer.etag}"`;
  const headers = { ETag: etag, "Cache-Control": CACHE_CONTROL, "X-Content-Type-Options": "nosniff" };
  if (etagMatches(c.req.header("if-none-match"), etag)) return c.body(null, 304, headers);
  return c.body(answer.body, 200, { ...headers, "Content-Type": answer.contentType });
}
