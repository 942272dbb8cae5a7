import type { JobRecord } from "@qmk-edge/schema";
import type { Dispatcher } from "../ports/dispatcher.ts";
import { failJob } from "./lifecycle.ts";

// A job no agent can build fails in bounded time, saying so (issue 18): without this a browser polls a
// `queued` job forever ("Waiting for Oven"). Checked when the job's status is read, so it costs nothing while
// nobody is waiting for the answer; both dispatchers end the job through Dispatcher.failQueued.

export const noAgentReason = (firmwareVersion: string): string =>
  `no build agent is online for firmware ${firmwareVersion}; nothing was built — try again later`;

// The transition: only a job still queued fails (one leased or ended meanwhile is left as it is).
export function failQueuedJob(record: JobRecord, reason: string, { now }: { now: string }): JobRecord {
  return record.status === "queued" ? failJob(record, reason, { now }) : record;
}

// Has `record` waited `waitSeconds` in the queue? Only then is asking for the agents worth it.
export const waitedLongEnough = (record: JobRecord, now: Date, waitSeconds: number): boolean =>
  record.status === "queued" && now.getTime() - Date.parse(record.enqueued_at) >= waitSeconds * 1000;

// The record as a status read should show it: failed with noAgentReason when it has waited `waitSeconds` and
// no agent for its firmware version is connected (seen within `windowSeconds`), else unchanged.
export async function failIfNoAgent(
  record: JobRecord,
  ctx: { dispatcher: Dispatcher; now: Date; waitSeconds: number; windowSeconds: number },
): Promise<JobRecord> {
  if (!waitedLongEnough(record, ctx.now, ctx.waitSeconds)) return record;
  const stats = await ctx.dispatcher.stats(ctx.windowSeconds, record.firmware_version);
  if (stats.agentsForVersion > 0) return record;
  return (await ctx.dispatcher.failQueued(record.id, noAgentReason(record.firmware_version))) ?? record;
}
