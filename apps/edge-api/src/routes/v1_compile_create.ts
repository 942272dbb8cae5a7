import { parseCompileRequest } from "@qmk-edge/keymap";
import { type CompileEnqueued, LIMITS } from "@qmk-edge/schema";
import type { Context } from "hono";
import { checkAgainstCatalogue } from "../catalogue/compile-check.ts";
import { buildHealthNote } from "../catalogue/known-broken.ts";
import type { AppEnv } from "../deps.ts";
import { answerAsRefusedJob, refusesAsJob } from "../http/refusal-as-job.ts";
import { readJsonBody } from "../http/request-body.ts";
import { InvalidInputError, RateLimitedError } from "../http/request-errors.ts";
import type { Route } from "../http/route.ts";
import { cachedJobRecord, cacheHitServedBy } from "../jobs/build-cache.ts";
import { contentKey } from "../jobs/content-key.ts";
import { UnavailableError } from "../jobs/errors.ts";
import { failJob, newJobRecord } from "../jobs/lifecycle.ts";
import { submittedEvents, unavailableEvents } from "../metrics/job-events.ts";

// POST /v1/compile: QMK Configurator JSON in, `{ enqueued: true, job_id }` out, exactly as qmk_api answers.
// A request already built against this firmware version is answered by a new job that is finished at once.
// With a catalogue published for the version, the request is checked against it first (422 with field paths).
// A browser's request (Origin header, REFUSAL_JOB_ORIGINS) that would be refused is answered as a job that
// failed at once, with the refusal in words (http/refusal-as-job.ts); others get the error answer.
export const v1CompileCreate: Route = {
  method: "POST",
  path: "/v1/compile",
  handler: async (c) => {
    const seen: { body?: unknown } = {};
    try {
      return await compile(c, seen);
    } catch (err) {
      if (!refusesAsJob(c.req.header("origin"), c.get("deps").config.refusalJobOrigins)) throw err;
      const answer = await answerAsRefusedJob(c, err, seen.body);
      if (answer) return answer;
      throw err;
    }
  },
};

// `seen.body` is the request's JSON once it is read (for the refusal's lines).
async function compile(c: Context<AppEnv>, seen: { body?: unknown }): Promise<Response> {
  const deps = c.get("deps");
  const decision = await deps.rateLimiter.limit(deps.clientIp(c) ?? "unknown");
  if (!decision.allowed) throw new RateLimitedError(decision.retryAfterSeconds);

  seen.body = await readJsonBody(c.req.raw, LIMITS.bodyBytes);
  const parsed = parseCompileRequest(seen.body);
  if (!parsed.ok) throw new InvalidInputError("invalid compile request", parsed.errors);

  const checked = await checkAgainstCatalogue(deps.blobs, deps.config.firmwareVersion, parsed.value);
  const request = checked.request;
  const translated = checked.translations.length ? { keycode_translations: checked.translations } : {};
  const { firmwareVersion, maxAttempts } = deps.config;
  const key = await contentKey(request, firmwareVersion, deps.sha256Hex);
  const now = deps.now().toISOString();

  const cache = await deps.jobs.getCache(key);
  if (cache && cache.firmware_version === firmwareVersion) {
    // The id is answered only once the record and the producers' markers are durable.
    const id = await deps.jobs.createCacheHit(
      (id) => ({ ...cachedJobRecord({ id, request, cache, now }), ...translated }),
      cacheHitServedBy(cache),
    );
    deps.metrics.record(submittedEvents(firmwareVersion, true));
    return c.json({ enqueued: true, job_id: id } satisfies CompileEnqueued);
  }

  const id = deps.newId();
  const answer: CompileEnqueued = { enqueued: true, job_id: id };
  const note = await buildHealthNote(deps, request.keyboard);
  const record = {
    ...newJobRecord({ id, request, contentKey: key, firmwareVersion, maxAttempts, now }),
    ...translated,
    ...(note ? { build_health_note: note } : {}),
  };
  await deps.jobs.accept(record);
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
  return c.json(answer);
}
