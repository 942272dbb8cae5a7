// A lease's running record before it reaches the store: the lease row holds the grant (the lease, when it was
// granted, and the queued record's history length it was granted from), and the running record is that queued
// record with jobs/lifecycle.ts startLease applied again. The store gets the record later (lease-records.ts),
// or never when the agent heartbeats or completes first, as the Durable Object dispatcher does (persistLater).
import { type JobRecord, type Lease, lease as leaseSchema } from "@qmk-edge/schema";
import { z } from "zod";
import { startLease } from "../../../jobs/lifecycle.ts";
import type { LeaseRow } from "./lease-row.ts";

// How long a lease's record waits before it is written to the store, unless the job was written meanwhile.
export const LEASE_RECORD_DELAY_MS = 2_000;

const leaseGrant = z.object({ lease: leaseSchema, at: z.string(), from: z.number().int() });
export type LeaseGrant = z.infer<typeof leaseGrant>;

// The grant of `lease` at `at` (ISO), from the record `queued`, as the lease row keeps it.
export function grantText(queued: JobRecord, lease: Lease, at: string): string {
  const grant: LeaseGrant = { lease, at, from: queued.history.length };
  return JSON.stringify(grant);
}

// The record as the job stands: the stored one, or, when the store still holds the queued record the row's
// lease was granted from, the running record of that lease. A record queued again since (released, expired:
// its history grew) or a row with no grant (restored from a running record) leaves the stored record as it is.
export function leasedRecord(stored: JobRecord, row: LeaseRow | null): JobRecord;
export function leasedRecord(stored: JobRecord | null, row: LeaseRow | null): JobRecord | null;
export function leasedRecord(stored: JobRecord | null, row: LeaseRow | null): JobRecord | null {
  if (stored?.status !== "queued" || !row?.grant) return stored;
  const parsed = leaseGrant.safeParse(safeJson(row.grant));
  if (!parsed.success) return stored;
  const grant = parsed.data;
  if (grant.lease.id !== row.leaseId || grant.from !== stored.history.length) return stored;
  return startLease(stored, grant.lease, { now: grant.at });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
