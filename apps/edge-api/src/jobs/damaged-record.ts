import type { JobRecord } from "@qmk-edge/schema";

// A job record the store holds but nobody can read (truncated, not JSON, failing its schema) cannot be
// rebuilt: what was asked is lost with it. It becomes a failed record that says so, which clients stop
// polling and agents let go (409), instead of a 500 on every read forever. The request is a placeholder
// (the status answer names the job, not a keyboard it never knew).
export function failedDamagedRecord(id: string, args: { now: string; problem: string }): JobRecord {
  const reason = `the job's stored record was damaged and could not be read (${args.problem}); submit the keymap again`;
  return {
    schema_version: 1,
    id,
    created_at: args.now,
    enqueued_at: args.now,
    started_at: null,
    finished_at: args.now,
    status: "failed",
    stage: null,
    attempts: 0,
    max_attempts: 1,
    lease: null,
    history: [{ at: args.now, status: "failed", stage: null, note: reason.slice(0, 1024) }],
    request: { keyboard: "unknown", keymap: "unknown", layout: "LAYOUT", layers: [["KC_NO"]] },
    content_key: "0".repeat(64),
    firmware_version: "unknown",
    toolchain: null,
    cache_hit_of: null,
    artifacts: {},
    result: null,
    failure_reason: reason.slice(0, 1024),
  };
}
