import { type CompileEnqueued, LIMITS } from "@qmk-edge/schema";
import type { Context } from "hono";
import { buildHealthNote } from "../catalogue/known-broken.ts";
import type { AppEnv } from "../deps.ts";
import { jsonAnswer } from "../http/public-cors.ts";
import { answerAsRefusedJob, refusesAsJob } from "../http/refusal-as-job.ts";
import { decodeJsonBody, readJsonBodyUndecoded } from "../http/request-body.ts";
import { RateLimitedError } from "../http/request-errors.ts";
import type { Route } from "../http/route.ts";
import { cachedJobRecord, cacheHitServedBy } from "../jobs/build-cache.ts";
import { UnavailableError } from "../jobs/errors.ts";
import { failJob, newJobRecord } from "../jobs/lifecycle.ts";
import { submittedEvents, unavailableEvents } from "../metrics/job-events.ts";
import { validateCompileBody } from "./v1_compile_create.body.ts";

// POST /v1/compile: QMK Configurator JSON in, `{ enqueued: true, job_id }` out, exactly as qmk_api answers.
// A request already built against this firmware version is answered by a new job that is finished at once.
// With a catalogue published for the version, the request is checked against it first (422 with field paths).
// A browser's request (Origin header, REFUSAL_JOB_ORIGINS) that would be refused is answered as a job that
// failed at once, with the refusal in words (http/refusal-as-job.ts); others get the error answer.
export const v1CompileCreate: Route = {
  method: "POST",
  path: "/v1/compile",
  handler: async (c) => {
    const seen: Seen = {};
    try {
      return await compile(c, seen);
    } catch (err) {
      if (!refusesAsJob(c.req.header("origin"), c.get("deps").config.refusalJobOrigins)) throw err;
      const answer = await answerAsRefusedJob(c, err, bodyOf(seen));
      if (answer) return answer;
      throw err;
    }
  },
};

interface Seen {
  body?: unknown;
  bytes?: Uint8Array;
}

// The request's JSON for a refusal's lines: decoded already, or now; undefined when there is none to decode.
function bodyOf(seen: Seen): unknown {
  if ("body" in seen || !seen.bytes) return seen.body;
  try {
    return decodeJsonBody(seen.bytes);
  } catch {
    return undefined;
  }
}

// `seen.body` is the request's JSON once it is decoded, `seen.bytes` its bytes once read (for the refusal's
// lines: a body validated before is not decoded again).
async function compile(c: Context<AppEnv>, seen: Seen): Promise<Response> {
  const deps = c.get("deps");
  const decision = await deps.rateLimiter.limit(deps.clientIp(c) ?? "unknown");
  if (!decision.allowed) throw new RateLimitedError(decision.retryAfterSeconds);

  seen.bytes = await readJsonBodyUndecoded(c.req.raw, LIMITS.bodyBytes);
  const { request, translations, contentKey: key } = await validateCompileBody(deps, seen.bytes, seen);
  const translated = translations.length ? { keycode_translations: [...translations] } : {};
  const { firmwareVersion, maxAttempts } = deps.config;
  const now = deps.now().toISOString();

  const cache = await deps.jobs.getCache(key);
  if (cache && cache.firmware_version === firmwareVersion) {
    // The id is answered only once the record and the producers' markers are durable.
    const id = await deps.jobs.createCacheHit(
      (id) => ({ ...cachedJobRecord({ id, request, cache, now }), ...translated }),
      cacheHitServedBy(cache),
    );
    deps.metrics.record(submittedEvents(firmwareVersion, true));
    return jsonAnswer(c, JSON.stringify({ enqueued: true, job_id: id } satisfies CompileEnqueued));
  }

  const note = await buildHealthNote(deps, request.keyboard);
  // The store picks the id (it may save the new jobs of one moment together, as it does cache hits).
  const record = await deps.jobs.accept((id) => ({
    ...newJobRecord({ id, request, contentKey: key, firmwareVersion, maxAttempts, now }),
    ...translated,
    ...(note ? { build_health_note: note } : {}),
  }));
  const { id } = record;
  try {
    await deps.dispatcher.enqueue(record);
  } catch (err) {
    console.error(`enqueue of job ${id} failed:`, err);
    // The client is told to retry; the record must not sit `queued` forever.
    await deps.jobs.put(failJob(record, "the job queue was unavailable", { now })).catch(() => {});
    deps.metrics.record(unavailableEvents(firmwareVersion));
    throw new UnavailableError("the job queue is unavailable; retry shortly");
  }
  deps.metrics.record(submittedEvents(firmwareVersion, false));
  return jsonAnswer(c, JSON.stringify({ enqueued: true, job_id: id } satisfies CompileEnqueued));
}
