import { jobQueueMessage } from "@qmk-edge/schema";
import { type DispatcherBindings, dispatcherStub } from "./interface.ts";
import type { Outcome } from "./outcome.ts";
import { unwrap } from "./outcome.ts";

export const JOB_QUEUE = "compile-jobs";
export const DEAD_LETTER_QUEUE = "compile-jobs-dlq";

// "compile-jobs": each { job_id } is handed to the Dispatcher object. A failure retries that message alone;
// after the Queue's max_retries it moves to the dead-letter queue.
export async function consumeJobs(batch: MessageBatch<unknown>, env: DispatcherBindings): Promise<void> {
  const stub = dispatcherStub(env.DISPATCHER);
  for (const message of batch.messages) {
    const parsed = jobQueueMessage.safeParse(message.body);
    if (!parsed.success) {
      console.error(`${JOB_QUEUE}: dropping a message that is not { job_id }`, message.id);
      message.ack();
      continue;
    }
    try {
      const result = unwrap((await stub.enqueueById(parsed.data.job_id)) as Outcome<string>);
      if (result === "unknown") console.error(`${JOB_QUEUE}: no job record for ${parsed.data.job_id}`);
      message.ack();
    } catch (err) {
      console.error(
        `${JOB_QUEUE}: hand-over of ${parsed.data.job_id} failed (attempt ${message.attempts})`,
        err,
      );
      message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
    }
  }
}

// "compile-jobs-dlq": the Queue gave up on these, so the jobs end `failed` with a reason instead of vanishing.
export async function consumeDeadLetters(
  batch: MessageBatch<unknown>,
  env: DispatcherBindings,
): Promise<void> {
  const stub = dispatcherStub(env.DISPATCHER);
  for (const message of batch.messages) {
    const parsed = jobQueueMessage.safeParse(message.body);
    if (!parsed.success) {
      message.ack();
      continue;
    }
    try {
      const reason = "the job queue could not hand the job to the dispatcher; submit it again";
      unwrap((await stub.failUndeliverable(parsed.data.job_id, reason)) as Outcome<string>);
      message.ack();
    } catch (err) {
      console.error(`${DEAD_LETTER_QUEUE}: could not mark ${parsed.data.job_id} failed`, err);
      message.retry({ delaySeconds: 30 });
    }
  }
}
