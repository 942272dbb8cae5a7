import type { ArtifactKind, ArtifactRef } from "@qmk-edge/schema";
import type { Context } from "hono";
import type { AppEnv } from "../deps.ts";
import { etagMatches } from "../http/etag.ts";
import { parseJobId } from "../http/parse-input.ts";
import type { Route } from "../http/route.ts";
import { NotFoundError, StateConflictError } from "../jobs/errors.ts";
import { isTerminal } from "../jobs/lifecycle.ts";
import { servableArtifact } from "../jobs/servable-artifact.ts";

// GET /v1/compile/:id/download (and the deprecated /hex), /source, /keymap, /log, /tree. Artifacts are content-addressed
// and immutable, so they carry a strong ETag (their sha256) and may be cached anywhere for a year.

const IMMUTABLE = "public, max-age=31536000, immutable";

function artifactHeaders(ref: ArtifactRef): Record<string, string> {
  return {
    "Content-Type": ref.content_type,
    "Content-Length": String(ref.size),
    "Content-Disposition": `attachment; filename="${ref.filename}"`,
    ETag: `"${ref.sha256}"`,
    "Cache-Control": IMMUTABLE,
  };
}

async function serveArtifact(c: Context<AppEnv>, kind: ArtifactKind): Promise<Response> {
  const deps = c.get("deps");
  const id = parseJobId(c.req.param("id"));
  const record = await deps.jobs.get(id);
  if (!record) throw new NotFoundError(`no job ${id}`);
  if (!isTerminal(record))
    throw new StateConflictError(`job ${id} is ${record.status}; artifacts come once it ends`);
  const ref = servableArtifact(record, kind);
  if (!ref) throw new NotFoundError(`job ${id} (${record.status}) has no ${kind} artifact`);

  const etag = `"${ref.sha256}"`;
  if (etagMatches(c.req.header("if-none-match"), etag)) {
    return c.body(null, 304, { ETag: etag, "Cache-Control": IMMUTABLE });
  }

  const cacheKey = `artifacts/${ref.sha256}/${ref.filename}`;
  const cached = await deps.responseCache?.match(cacheKey);
  // A fresh Response: ones from a cache have immutable headers, and middleware (CORS) adds to them.
  if (cached) return new Response(cached.body, { status: 200, headers: cached.headers });

  const blob = await deps.blobs.get(ref.key);
  if (!blob) throw new NotFoundError(`the ${kind} artifact of job ${id} is missing from storage`);
  const response = new Response(blob.body, { status: 200, headers: artifactHeaders(ref) });
  deps.responseCache?.put(cacheKey, response.clone());
  return response;
}

const route = (path: string, kind: ArtifactKind): Route => ({
  method: "GET",
  path: `/v1/compile/:id/${path}`,
  handler: (c) => serveArtifact(c, kind),
});

export const v1CompileArtifact: Route[] = [
  route("download", "firmware"),
  // Deprecated by qmk_api, still answered for old clients.
  route("hex", "firmware"),
  route("source", "source"),
  route("keymap", "keymap"),
  route("log", "log"),
  // The whole firmware tree the job built in (qmk-edge addition; shared by every job of its version).
  route("tree", "tree"),
];
