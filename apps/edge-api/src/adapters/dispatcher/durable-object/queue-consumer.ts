import { jobQueueMessage } from "@qmk-edge/schema";
import { type DispatcherBindings, dispatcherShardsOf } from "./interface.ts";
import type { Outcome } from "./outcome.ts";
import { unwrap } from "./outcome.ts";
import { shardOfJob, shardStub } from "./shards.ts";

// The dispatcher shard that holds (or will hold) a job.
const shardFor = (env: DispatcherBindings, jobId: string) =>
  shardStub(env.DISPATCHER, shardOfJob(jobId, dispatcherShardsOf(env)));

export const JOB_QUEUE = "compile-jobs";
export const DEAD_LETTER_QUEUE = "compile-jobs-dlq";

// "compile-jobs": each { job_id } is handed to the Dispatcher object (shard) that holds it, one call per shard
// for the whole batch (almost always a no-op: the API handed the job over directly). A failure retries that
// message alone; after the Queue's max_retries it moves to the dead-letter queue.
export async function consumeJobs(batch: MessageBatch<unknown>, env: DispatcherBindings): Promise<void> {
  const shards = dispatcherShardsOf(env);
  const byShard = new Map<number, { message: Message<unknown>; jobId: string }[]>();
  for (const message of batch.messages) {
    const parsed = jobQueueMessage.safeParse(message.body);
    if (!parsed.success) {
      console.error(`${JOB_QUEUE}: dropping a message that is not { job_id }`, message.id);
      message.ack();
      continue;
    }
    const shard = shardOfJob(parsed.data.job_id, shards);
    let items = byShard.get(shard);
    if (!items) {
      items = [];
      byShard.set(shard, items);
    }
    items.push({ message, jobId: parsed.data.job_id });
  }
  await Promise.all(
    [...byShard].map(async ([shard, items]) => {
      let outcomes: Outcome<string>[] | null = null;
      let failure: unknown = null;
      try {
        outcomes = (await shardStub(env.DISPATCHER, shard).enqueueAllById(
          items.map((i) => i.jobId),
        )) as Outcome<string>[];
      } catch (err) {
        failure = err;
      }
      for (const [i, { message, jobId }] of items.entries()) {
        try {
          if (!outcomes) throw failure;
          const result = unwrap(outcomes[i]!);
          if (result === "unknown") console.error(`${JOB_QUEUE}: no job record for ${jobId}`);
          message.ack();
        } catch (err) {
          console.error(`${JOB_QUEUE}: hand-over of ${jobId} failed (attempt ${message.attempts})`, err);
          message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
        }
      }
    }),
  );
}

// "compile-jobs-dlq": the Queue gave up on these, so the jobs end `failed` with a reason instead of vanishing.
export async function consumeDeadLetters(
  batch: MessageBatch<unknown>,
  env: DispatcherBindings,
): Promise<void> {
  for (const message of batch.messages) {
    const parsed = jobQueueMessage.safeParse(message.body);
    if (!parsed.success) {
      message.ack();
      continue;
    }
    try {
      const reason = "the job queue could not hand the job to the dispatcher; submit it again";
      const stub = shardFor(env, parsed.data.job_id);
      unwrap((await stub.failUndeliverable(parsed.data.job_id, reason)) as Outcome<string>);
      message.ack();
    } catch (err) {
      console.error(`${DEAD_LETTER_QUEUE}: could not mark ${parsed.data.job_id} failed`, err);
      message.retry({ delaySeconds: 30 });
    }
  }
}
