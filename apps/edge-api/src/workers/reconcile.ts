import { DurableObjectQueueRepair } from "../adapters/dispatcher/durable-object/queue-repair.ts";
import { type ReconcileMemory, type ReconcileReport, Reconciler } from "../jobs/reconcile.ts";
import { configFromEnv, type Env } from "./env.ts";
import { isolateStores } from "./isolate-stores.ts";

// The Worker's reconciler: the store (R2) is the truth, and a job it holds as queued or running that its
// Dispatcher shard does not know is queued again (or its lease restored) by the shard (docs/architecture.md,
// "Contracts"). It runs on a Cron Trigger (wrangler.jsonc `triggers.crons`), not on the Dispatcher's alarm: an
// object that lost its storage lost its alarm with it, and an idle deployment has no alarm set at all, while
// the cron fires whatever the objects hold. One pass lists the open/ markers once and calls each open job's
// shard; passes that overlap (a slow pass, two colos) are safe, as every repair is idempotent.

// What a pass remembers for the next (markers with no record yet); kept while the isolate lives.
const memory: ReconcileMemory = { missingOnce: new Set() };

// One pass, kept alive by waitUntil; its report is returned for tests.
export function reconcileOnSchedule(env: Env, ctx: ExecutionContext): Promise<ReconcileReport> {
  // The isolate's job store: its memo holds only settled records, which are ended (a pass closes their
  // markers whatever else changes in them), so the pass decides as it would reading R2.
  const { jobs } = isolateStores(env);
  const queue = new DurableObjectQueueRepair(env.DISPATCHER, configFromEnv(env).dispatcherShards);
  const pass = new Reconciler(jobs, queue, console.warn, memory).reconcile().catch((err: unknown) => {
    console.error(`reconciler: ${(err as Error)?.message ?? err}`);
    throw err;
  });
  ctx.waitUntil(pass);
  return pass;
}
