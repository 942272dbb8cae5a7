import type {
  HeartbeatRequest,
  HeartbeatResponse,
  JobRecord,
  Lease,
  LeaseHolder,
  LeaseRequest,
  LeaseResponse,
} from "@qmk-edge/schema";
import { recordHeartbeat, startLease } from "./lifecycle.ts";

// The lease rules both dispatchers apply: how long a lease runs, what a lease and a heartbeat answer the
// agent. The dispatchers only decide which job and store the result.

// The lease policy: everything timed by leases comes from the one length (LEASE_SECONDS). Each runtime
// builds it once at its wiring (node/main.ts, the Dispatcher Durable Object) and hands it down.
export interface LeasePolicy {
  readonly seconds: number;
  // When a lease granted, or extended by a heartbeat, at `now` ends. Agents heartbeat at a third of it.
  expiry(now: Date): Date;
  // How often Node's reaper looks for expired leases: several times per lease, so an expired lease returns
  // to the queue soon after it ends. (The Durable Object needs no interval: its alarm is set at the
  // earliest expiry itself, adapters/dispatcher/durable-object/alarm.ts.)
  readonly reaperIntervalMs: number;
  // A Redis stream entry pending this long with no lease recorded (its lease never got written) is
  // reclaimed: a whole lease plus a grace, so a lease being written is never taken.
  readonly orphanIdleMs: number;
}

export const ORPHAN_GRACE_MS = 5_000;

export function leasePolicy(seconds: number, opts: { orphanGraceMs?: number } = {}): LeasePolicy {
  const ms = seconds * 1000;
  return {
    seconds,
    expiry: (now) => new Date(now.getTime() + ms),
    reaperIntervalMs: Math.min(5_000, Math.max(250, ms / 4)),
    orphanIdleMs: ms + (opts.orphanGraceMs ?? ORPHAN_GRACE_MS),
  };
}

// Leases a queued record to the agent that asked: the running record and the answer for the agent.
export function grantLease(
  record: JobRecord,
  args: { leaseId: string; request: LeaseRequest; holder: LeaseHolder; now: Date; lease: LeasePolicy },
): { record: JobRecord; lease: Lease; response: LeaseResponse } {
  const lease: Lease = {
    id: args.leaseId,
    agent_id: args.request.agent_id,
    expires_at: args.lease.expiry(args.now).toISOString(),
    token_id: args.holder.token_id,
    trust: args.holder.trust,
  };
  const running = startLease(record, lease, { now: args.now.toISOString() });
  const response: LeaseResponse = {
    job: {
      id: running.id,
      request: running.request,
      content_key: running.content_key,
      firmware_version: running.firmware_version,
      attempts: running.attempts,
    },
    lease_id: lease.id,
    lease_expires_at: lease.expires_at,
  };
  return { record: running, lease, response };
}

// A heartbeat moves the lease's expiry one lease length past now and notes a new stage.
export function heartbeatJob(
  record: JobRecord,
  request: HeartbeatRequest,
  holder: LeaseHolder,
  args: { now: Date; lease: LeasePolicy },
): { record: JobRecord; response: HeartbeatResponse } {
  const expiresAt = args.lease.expiry(args.now).toISOString();
  const next = recordHeartbeat(record, {
    leaseId: request.lease_id,
    holder,
    stage: request.stage,
    expiresAt,
    now: args.now.toISOString(),
  });
  return { record: next, response: { lease_expires_at: expiresAt } };
}

// Why a lease goes straight back: it was granted to a poll whose agent had already gone (both dispatchers).
export const UNDELIVERED_LEASE = "the agent disconnected before the lease arrived";
