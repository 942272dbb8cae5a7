import type { CompileEnqueued, JobRecord } from "@qmk-edge/schema";
import type { Context } from "hono";
import type { AppConfig } from "../config/app-config.ts";
import type { AppEnv } from "../deps.ts";
import { StoredRecordError } from "../jobs/errors.ts";
import { type RefusalCause, refusedJobRecord } from "../jobs/refusal.ts";
import { mapError } from "./error-handler.ts";
import { RateLimitedError } from "./request-errors.ts";

// POST /v1/compile from a browser page: a refusal answered as a job that failed at once (jobs/refusal.ts),
// because QMK Configurator shows "Unexpected error" for any non-2xx answer and leaves COMPILE greyed.
// Who gets it is REFUSAL_JOB_ORIGINS: by default any request with an Origin header (browsers send one on a
// cross-origin POST, and on a same-origin POST too); scripts and the CLI send none and keep the 4xx.
// Refusal jobs take no queue slot and no agent. They are bounded: every request but a 429 passed the compile
// rate limit, so it counts there; 429s, which the compile limit no longer counts, get a bucket of their own
// (`refusal:<address>`, the same size; past it the plain 429). So an address makes at most twice the compile
// limit of them per minute, each a few KiB, stored as jobs/<id>.json like every job and expiring with them.

export function refusesAsJob(origin: string | undefined, rule: AppConfig["refusalJobOrigins"]): boolean {
  if (origin === undefined || origin === "" || rule === "none") return false;
  return rule === "*" || rule.includes(origin);
}

// Refusal records the store could not take (its backend is what is down), kept in this process or isolate
// so the client's status polls still find them: a bounded, short memory.
const MEMORY_ENTRIES = 256;
const MEMORY_MS = 60 * 60 * 1000;
const remembered = new Map<string, { record: JobRecord; until: number }>();

function remember(record: JobRecord, nowMs: number): void {
  remembered.set(record.id, { record, until: nowMs + MEMORY_MS });
  while (remembered.size > MEMORY_ENTRIES) remembered.delete(remembered.keys().next().value as string);
}

export function rememberedRefusal(id: string, now: Date): JobRecord | null {
  const entry = remembered.get(id);
  if (!entry) return null;
  if (entry.until < now.getTime()) {
    remembered.delete(id);
    return null;
  }
  return entry.record;
}

function causeOf(err: unknown): RefusalCause {
  const mapped = mapError(err);
  if (!mapped || err instanceof StoredRecordError) return { code: 500, message: "internal error" };
  return {
    code: mapped.status,
    message: mapped.message,
    ...(mapped.errors?.length ? { errors: mapped.errors } : {}),
    ...(err instanceof RateLimitedError ? { retryAfterSeconds: err.retryAfterSeconds } : {}),
  };
}

// The 2xx answer for a refused request, or null when this one gets the plain error answer after all (a 429
// past the refusal bucket, or the bucket itself cannot be asked).
export async function answerAsRefusedJob(
  c: Context<AppEnv>,
  err: unknown,
  body: unknown,
): Promise<Response | null> {
  const deps = c.get("deps");
  const cause = causeOf(err);
  if (cause.code >= 500 && cause.code !== 503) console.error("compile request failed inside the API:", err);
  if (cause.code === 429) {
    try {
      const decision = await deps.rateLimiter.limit(`refusal:${deps.clientIp(c) ?? "unknown"}`);
      if (!decision.allowed) return null;
    } catch {
      return null;
    }
  }
  const id = deps.newId();
  const now = deps.now();
  const record = refusedJobRecord({
    id,
    now: now.toISOString(),
    firmwareVersion: deps.config.firmwareVersion,
    contentKey: await deps.sha256Hex(`refused ${id}`),
    cause,
    body,
  });
  try {
    await deps.jobs.put(record);
  } catch (storeErr) {
    console.warn(`refusal job ${id}: the store refused it, kept in memory only:`, storeErr);
    remember(record, now.getTime());
  }
  const answer: CompileEnqueued = { enqueued: true, job_id: id };
  c.header("Cache-Control", "no-store");
  return c.json(answer);
}
