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

export const leaseExpiry = (now: Date, leaseSeconds: number): Date =>
  new Date(now.getTime() + leaseSeconds * 1000);

// Leases a queued record to the agent that asked: the running record and the answer for the agent.
export function grantLease(
  record: JobRecord,
  args: { leaseId: string; request: LeaseRequest; holder: LeaseHolder; now: Date; leaseSeconds: number },
): { record: JobRecord; lease: Lease; response: LeaseResponse } {
  const lease: Lease = {
    id: args.leaseId,
    agent_id: args.request.agent_id,
    expires_at: leaseExpiry(args.now, args.leaseSeconds).toISOString(),
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
  args: { now: Date; leaseSeconds: number },
): { record: JobRecord; response: HeartbeatResponse } {
  const expiresAt = leaseExpiry(args.now, args.leaseSeconds).toISOString();
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
