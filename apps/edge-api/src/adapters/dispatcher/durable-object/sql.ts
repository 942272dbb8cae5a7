// The Dispatcher Durable Object's SQLite tables and every statement run on them. A row mirrors the columns
// the queries need; `record` holds the whole JobRecord, `version` counts transitions and `saved_version` the
// last one written through to R2.
import { type JobRecord, jobRecord, type LeaseRequest } from "@qmk-edge/schema";
import { parseStored } from "../../../jobs/stored-record.ts";
import type { DispatchStats } from "../../../ports/dispatcher.ts";

export interface JobRow {
  id: string;
  seq: number;
  status: string;
  version: number;
  saved_version: number;
  record: string;
  [key: string]: SqlStorageValue;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  status TEXT NOT NULL,
  firmware_version TEXT NOT NULL,
  keyboard TEXT NOT NULL,
  toolchain TEXT,
  lease_id TEXT,
  lease_expires_at INTEGER,
  enqueued_at INTEGER NOT NULL,
  finished_at INTEGER,
  version INTEGER NOT NULL,
  saved_version INTEGER NOT NULL,
  record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_by_queue ON jobs (status, firmware_version, seq);
CREATE INDEX IF NOT EXISTS jobs_by_seq ON jobs (seq);
CREATE INDEX IF NOT EXISTS jobs_by_expiry ON jobs (status, lease_expires_at);
CREATE INDEX IF NOT EXISTS jobs_by_end ON jobs (status, finished_at);
CREATE INDEX IF NOT EXISTS jobs_unsaved ON jobs (id) WHERE saved_version < version;
CREATE TABLE IF NOT EXISTS agents (
  agent_id TEXT PRIMARY KEY,
  last_seen INTEGER NOT NULL,
  firmware_version TEXT,
  toolchains TEXT
);
CREATE TABLE IF NOT EXISTS keyboard_toolchains (keyboard TEXT PRIMARY KEY, toolchain TEXT NOT NULL);
`;

const ms = (iso: string | null | undefined) => (iso ? Date.parse(iso) : null);

export function createSchema(sql: SqlStorage): void {
  sql.exec(SCHEMA);
}

export function jobRow(sql: SqlStorage, id: string): JobRow | undefined {
  return sql.exec<JobRow>("SELECT * FROM jobs WHERE id = ?", id).toArray()[0];
}

// The row's record, checked against the schema like every record read back from storage. The last parse of
// each job is kept with the text it came from, so a row read again unchanged is not parsed again.
const parsed = new Map<string, { text: string; record: JobRecord }>();
const PARSED_MAX = 2048;

export function recordOf(row: Pick<JobRow, "id" | "record">): JobRecord {
  const known = parsed.get(row.id);
  if (known && known.text === row.record) return known.record;
  const record = parseStored(jobRecord, row.record, `the dispatcher's row of job ${row.id}`);
  remember(row.id, row.record, record);
  return record;
}

function remember(id: string, text: string, record: JobRecord): void {
  parsed.delete(id);
  parsed.set(id, { text, record });
  if (parsed.size > PARSED_MAX) parsed.delete(parsed.keys().next().value as string);
}

// A job as its record in R2 stands (so the row counts as saved): queued (new, or queued again by the
// reconciler), or running under the record's lease (restored by the reconciler: adapters/dispatcher/
// durable-object/repair.ts). True when inserted; a row already there is left as it is.
export function insertJob(sql: SqlStorage, record: JobRecord): boolean {
  const cursor = sql.exec(
    `INSERT INTO jobs (id, seq, status, firmware_version, keyboard, toolchain, lease_id, lease_expires_at,
                       enqueued_at, finished_at, version, saved_version, record)
     VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM jobs), ?, ?, ?, ?, ?, ?, ?, NULL, 0, 0, ?)
     ON CONFLICT(id) DO NOTHING`,
    record.id,
    record.status,
    record.firmware_version,
    record.request.keyboard,
    record.toolchain,
    record.lease?.id ?? null,
    ms(record.lease?.expires_at),
    Date.parse(record.enqueued_at),
    JSON.stringify(record),
  );
  cursor.toArray();
  return cursor.rowsWritten > 0;
}

// A new version of the row's record, not yet written through to R2. The record is a transition of one read
// through recordOf (jobs/lifecycle.ts builds new records, never changes one), so it is kept as the parse of
// the text written: the lease's and the completion's write-through read the row back without parsing it again.
// Answers the row as written (what persisting it needs), so its write-through need not read it back.
export function updateJob(sql: SqlStorage, record: JobRecord): WrittenRow | undefined {
  const text = JSON.stringify(record);
  const written = sql.exec<{ version: number; saved_version: number }>(
    `UPDATE jobs SET status = ?, toolchain = ?, lease_id = ?, lease_expires_at = ?, finished_at = ?,
                     version = version + 1, record = ? WHERE id = ? RETURNING version, saved_version`,
    record.status,
    record.toolchain,
    record.lease?.id ?? null,
    ms(record.lease?.expires_at),
    ms(record.finished_at),
    text,
    record.id,
  );
  remember(record.id, text, record);
  const row = written.toArray()[0];
  return row && { id: record.id, record: text, version: row.version, saved_version: row.saved_version };
}

// What persisting a row reads of it.
export type WrittenRow = Pick<JobRow, "id" | "record" | "version" | "saved_version">;

// Marks each job's version (by job id) as written through to R2, in one statement whatever their number.
export function markSaved(sql: SqlStorage, versions: Map<string, number>): void {
  if (versions.size === 0) return;
  sql.exec(
    `UPDATE jobs SET saved_version = MAX(saved_version, marks.value)
     FROM json_each(?) AS marks WHERE jobs.id = marks.key`,
    JSON.stringify(Object.fromEntries(versions)),
  );
}

// The rows whose latest version is not yet marked as written through to R2, with that version.
export function unsavedJobs(sql: SqlStorage): { id: string; version: number }[] {
  return [...eachUnsavedJob(sql)];
}

// The same rows, read one at a time as the caller iterates (it may stop at the first).
export function eachUnsavedJob(sql: SqlStorage): Iterable<{ id: string; version: number }> {
  return sql.exec<{ id: string; version: number }>(
    "SELECT id, version FROM jobs WHERE saved_version < version",
  );
}

// Whether any row is unsaved: stops at the first.
export function anyUnsavedJob(sql: SqlStorage): boolean {
  return sql.exec("SELECT 1 FROM jobs WHERE saved_version < version LIMIT 1").toArray().length > 0;
}

export function runningRecords(sql: SqlStorage): JobRecord[] {
  return sql.exec<JobRow>("SELECT * FROM jobs WHERE status = 'running'").toArray().map(recordOf);
}

export function expiredLeaseRows(sql: SqlStorage, nowMs: number): JobRow[] {
  return sql
    .exec<JobRow>("SELECT * FROM jobs WHERE status = 'running' AND lease_expires_at <= ?", nowMs)
    .toArray();
}

// Ended jobs are kept until `endedBefore` (all written through), agents until `seenBefore`.
export function purge(sql: SqlStorage, endedBefore: number, seenBefore: number): void {
  sql.exec(
    "DELETE FROM jobs WHERE status IN ('finished', 'failed') AND saved_version >= version AND finished_at < ?",
    endedBefore,
  );
  sql.exec("DELETE FROM agents WHERE last_seen < ?", seenBefore);
}

// With `request` (a lease) the agent's version and toolchains are noted too.
export function seeAgent(
  sql: SqlStorage,
  agentId: string,
  request: LeaseRequest | null,
  nowMs: number,
): void {
  if (request) {
    sql.exec(
      `INSERT INTO agents (agent_id, last_seen, firmware_version, toolchains) VALUES (?, ?, ?, ?)
       ON CONFLICT(agent_id) DO UPDATE SET last_seen = excluded.last_seen,
         firmware_version = excluded.firmware_version, toolchains = excluded.toolchains`,
      agentId,
      nowMs,
      request.firmware_version,
      request.toolchains.join(","),
    );
  } else {
    sql.exec(
      "INSERT INTO agents (agent_id, last_seen) VALUES (?, ?) ON CONFLICT(agent_id) DO UPDATE SET last_seen = excluded.last_seen",
      agentId,
      nowMs,
    );
  }
}

// A sighting stored late (agent-sightings.ts): never moves last_seen back, and a forgotten agent stays so.
export function noteSeen(sql: SqlStorage, agentId: string, seenMs: number): void {
  sql.exec("UPDATE agents SET last_seen = MAX(last_seen, ?) WHERE agent_id = ?", seenMs, agentId);
}

export function forgetAgent(sql: SqlStorage, agentId: string): void {
  sql.exec("DELETE FROM agents WHERE agent_id = ?", agentId);
}

// True when this is news (a new keyboard, or another toolchain than the one known).
export function learnToolchain(sql: SqlStorage, keyboard: string, toolchain: string): boolean {
  const known = sql
    .exec<{ toolchain: string }>("SELECT toolchain FROM keyboard_toolchains WHERE keyboard = ?", keyboard)
    .toArray()[0];
  if (known?.toolchain === toolchain) return false;
  sql.exec(
    "INSERT INTO keyboard_toolchains (keyboard, toolchain) VALUES (?, ?) ON CONFLICT(keyboard) DO UPDATE SET toolchain = excluded.toolchain",
    keyboard,
    toolchain,
  );
  return true;
}

// `activeSince`: agents seen at or after it count (jobs/agent-memory.ts agentsActiveSince).
export function dispatchStats(sql: SqlStorage, activeSince: number, firmwareVersion: string): DispatchStats {
  const jobs = sql
    .exec<{ queued: number | null; running: number | null; oldest: number | null }>(
      `SELECT SUM(status = 'queued') AS queued, SUM(status = 'running') AS running,
              MIN(CASE WHEN status = 'queued' THEN enqueued_at END) AS oldest FROM jobs`,
    )
    .one();
  const agents = sql
    .exec<{ seen: number | null; current: number | null; last: number | null }>(
      `SELECT SUM(last_seen >= ?) AS seen, SUM(last_seen >= ? AND firmware_version = ?) AS current,
              MAX(last_seen) AS last FROM agents`,
      activeSince,
      activeSince,
      firmwareVersion,
    )
    .one();
  return {
    queued: jobs.queued ?? 0,
    running: jobs.running ?? 0,
    oldestQueuedAt: jobs.oldest === null ? null : new Date(jobs.oldest).toISOString(),
    agentsSeen: agents.seen ?? 0,
    agentsForVersion: agents.current ?? 0,
    lastAgentSeenAt: agents.last === null ? null : new Date(agents.last).toISOString(),
  };
}

// What the next alarm waits for: the earliest lease expiry and the earliest end.
export function nextDue(sql: SqlStorage): { lease: number | null; ended: number | null } {
  return sql
    .exec<{ lease: number | null; ended: number | null }>(
      `SELECT (SELECT MIN(lease_expires_at) FROM jobs WHERE status = 'running') AS lease,
              (SELECT MIN(m) FROM (SELECT MIN(finished_at) AS m FROM jobs WHERE status = 'finished'
                UNION ALL SELECT MIN(finished_at) FROM jobs WHERE status = 'failed')) AS ended`,
    )
    .one();
}
