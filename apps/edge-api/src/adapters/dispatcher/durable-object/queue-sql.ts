// The Dispatcher object's queue queries: which job an agent can take, and where a queued job stands.
import type { JobRecord, LeaseRequest } from "@qmk-edge/schema";
import type { JobRow } from "./sql.ts";

const KNOWN_TOOLCHAIN =
  "COALESCE(toolchain, (SELECT k.toolchain FROM keyboard_toolchains k WHERE k.keyboard = jobs.keyboard))";

// The oldest queued job this agent can build: same firmware version, and a toolchain it has when the job's
// toolchain is known (from the job, or learned from earlier builds of the keyboard). With `jobId`, that job
// only, if the agent can build it and it is still queued.
export function oldestClaimableRow(
  sql: SqlStorage,
  request: LeaseRequest,
  jobId?: string,
): JobRow | undefined {
  return sql
    .exec<JobRow>(
      `SELECT * FROM jobs WHERE ${claimable(request)} ${jobId === undefined ? "" : "AND id = ?"}
       ORDER BY seq LIMIT 1`,
      request.firmware_version,
      ...request.toolchains,
      ...(jobId === undefined ? [] : [jobId]),
    )
    .toArray()[0];
}

// The oldest queued job this agent can build, with how many such jobs are queued here counted up to `limit`
// (a shard's offer, leases.ts), in one statement: a lease under load costs one query to find its job.
export function oldestClaimableWithBacklog(
  sql: SqlStorage,
  request: LeaseRequest,
  limit: number,
): { row: JobRow; backlog: number } | undefined {
  const row = sql
    .exec<JobRow & { backlog: number }>(
      `SELECT *, (SELECT COUNT(*) FROM (SELECT 1 FROM jobs WHERE ${claimable(request)} LIMIT ?)) AS backlog
       FROM jobs WHERE ${claimable(request)} ORDER BY seq LIMIT 1`,
      request.firmware_version,
      ...request.toolchains,
      limit,
      request.firmware_version,
      ...request.toolchains,
    )
    .toArray()[0];
  return row ? { row, backlog: row.backlog } : undefined;
}

// Binds the firmware version, then each of the request's toolchains.
function claimable(request: LeaseRequest): string {
  const toolchains = request.toolchains.map(() => "?").join(", ");
  return `status = 'queued' AND firmware_version = ?
    AND (${KNOWN_TOOLCHAIN} IS NULL OR ${KNOWN_TOOLCHAIN} IN (${toolchains}))`;
}

// The lane of a queued job (its toolchain, known or learned; null: any) and whether another job of its
// version and lane is queued in this object before it (0 or 1: no need to count further).
export function queuedAheadInLane(
  sql: SqlStorage,
  record: JobRecord,
): { ahead: number; lane: string | null } {
  const row = sql
    .exec<{ lane: string | null; seq: number }>(
      `SELECT ${KNOWN_TOOLCHAIN} AS lane, seq FROM jobs WHERE id = ?`,
      record.id,
    )
    .toArray()[0];
  if (!row) return { ahead: 0, lane: record.toolchain };
  const ahead = sql
    .exec<{ n: number }>(
      `SELECT COUNT(*) AS n FROM (SELECT 1 FROM jobs WHERE status = 'queued' AND firmware_version = ?
         AND seq < ? AND ${KNOWN_TOOLCHAIN} IS ? LIMIT 1)`,
      record.firmware_version,
      row.seq,
      row.lane,
    )
    .one().n;
  return { ahead, lane: row.lane };
}

// Queued jobs enqueued before `enqueuedMs` (ties: lower id first), for a queue position across shards.
export function queuedBefore(sql: SqlStorage, enqueuedMs: number, jobId: string): number {
  return sql
    .exec<{ n: number }>(
      `SELECT COUNT(*) AS n FROM jobs WHERE status = 'queued'
         AND (enqueued_at < ? OR (enqueued_at = ? AND id < ?))`,
      enqueuedMs,
      enqueuedMs,
      jobId,
    )
    .one().n;
}

export function queuedAhead(sql: SqlStorage, seq: number): number {
  return sql
    .exec<{ n: number }>("SELECT COUNT(*) AS n FROM jobs WHERE status = 'queued' AND seq < ?", seq)
    .one().n;
}

// A job's place in this shard's queue and when it was enqueued; null when it is not queued here.
export function queueStanding(
  sql: SqlStorage,
  row: JobRow | undefined,
): { ahead: number; enqueuedMs: number } | null {
  if (row?.status !== "queued") return null;
  return { ahead: queuedAhead(sql, row.seq), enqueuedMs: Number(row.enqueued_at) };
}
