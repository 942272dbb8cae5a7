import type { JobRecord, LeaseHolder, LeaseResponse } from "@qmk-edge/schema";
import type { Clock } from "../../../jobs/clock.ts";
import { newId } from "../../../jobs/job-id.ts";
import { grantLease, type LeasePolicy } from "../../../jobs/lease.ts";
import { leaseDueMs } from "./alarm.ts";
import { Goodbyes } from "./goodbyes.ts";
import type { JobTable } from "./job-table.ts";
import { type LeaseAsk, LeaseWaiters } from "./lease-waiters.ts";
import { failedOutcome, type Outcome, ok } from "./outcome.ts";
import { oldestClaimableRow, oldestClaimableWithBacklog } from "./queue-sql.ts";
import { type JobRow, recordOf } from "./sql.ts";

export interface LeasesContext {
  sql: SqlStorage;
  table: JobTable;
  lease: LeasePolicy;
  now: Clock;
  // Called once a lease is durable, with the earliest time it made due (alarm.ts leaseDueMs).
  scheduleAlarm: (dueMs?: number) => Promise<void>;
}

// A shard's answer to a lease across shards (sharded-calls.ts): a lease when it has at least the given backlog
// of jobs the agent can build, else its oldest such job (or none) so the Worker can take the oldest of all.
export type Offer = { leased: LeaseResponse } | { oldest: QueuedJob | null };

// A queued job as shards compare them: older is enqueued earlier, ties broken by the lower id.
export interface QueuedJob {
  enqueuedMs: number;
  id: string;
}

export const isOlder = (a: QueuedJob, b: QueuedJob) =>
  a.enqueuedMs < b.enqueuedMs || (a.enqueuedMs === b.enqueuedMs && a.id < b.id);

interface Claim {
  record: JobRecord;
  response: LeaseResponse;
}

// Leasing inside the Dispatcher object: the oldest job an agent can build is claimed (synchronously, so no
// other call runs in between) in the object's SQLite, then copied to R2 later; agents long-polling are served
// oldest poll first.
export class Leases {
  readonly #context: LeasesContext;
  readonly #waiters = new LeaseWaiters();
  readonly #goodbyes = new Goodbyes();

  constructor(context: LeasesContext) {
    this.#context = context;
  }

  // `startedMs`: when the poll began (the Worker's clock). A poll the agent's disconnect overtook on its way
  // here does not wait (goodbyes.ts).
  async lease(ask: LeaseAsk, startedMs?: number): Promise<Outcome<LeaseResponse | null>> {
    const claim = this.#claim(ask, this.#oldest(ask));
    if (claim) return await this.#settle(claim);
    if (!ask.request.wait_ms) return ok(null);
    const { agent_id: agentId } = ask.request;
    if (startedMs !== undefined && this.#goodbyes.endsPoll(agentId, ask.holder.token_id, startedMs))
      return ok(null);
    return await this.#waiters.wait(ask, ask.request.wait_ms);
  }

  async offer(ask: LeaseAsk, claimAtBacklog: number): Promise<Outcome<Offer>> {
    const found = oldestClaimableWithBacklog(this.#context.sql, ask.request, claimAtBacklog);
    if (!found) return ok({ oldest: null });
    const { row, backlog } = found;
    if (backlog < claimAtBacklog) return ok({ oldest: { enqueuedMs: Number(row.enqueued_at), id: row.id } });
    const claim = this.#claim(ask, row);
    return claim ? await this.#leased(claim) : ok({ oldest: null });
  }

  // Leases job `jobId` when it is still queued here and the agent can build it. When another agent took it
  // first, leases this shard's oldest such job instead if it is older than `olderThan` (the oldest the Worker
  // knows of in the other shards; null: none), else names it (or none) so the Worker can try elsewhere: a lost
  // race costs no new look at every shard (sharded-calls.ts).
  async claim(ask: LeaseAsk, jobId: string, olderThan: QueuedJob | null): Promise<Outcome<Offer>> {
    const { sql } = this.#context;
    const named = this.#claim(ask, oldestClaimableRow(sql, ask.request, jobId));
    if (named) return await this.#leased(named);
    const row = this.#oldest(ask);
    if (!row) return ok({ oldest: null });
    const oldest = { enqueuedMs: Number(row.enqueued_at), id: row.id };
    if (olderThan && !isOlder(oldest, olderThan)) return ok({ oldest });
    const claim = this.#claim(ask, row);
    return claim ? await this.#leased(claim) : ok({ oldest: null });
  }

  // Hands newly queued jobs to agents that are long-polling.
  wake(): void {
    this.#waiters.wake((ask) => {
      const claim = this.#claim(ask, this.#oldest(ask));
      return claim ? this.#settle(claim).catch((err) => failedOutcome(err)) : null;
    });
  }

  // The agent `agentId` of `holder`'s token went away: its polls answer null (POST /v1/agent/disconnect).
  endPolls(agentId: string, holder: LeaseHolder): void {
    this.#goodbyes.said(agentId, holder.token_id, this.#context.now().getTime());
    this.#waiters.end((ask) => ask.request.agent_id === agentId && ask.holder.token_id === holder.token_id);
  }

  #oldest(ask: LeaseAsk): JobRow | undefined {
    return oldestClaimableRow(this.#context.sql, ask.request);
  }

  // `row`: the job to claim (none: nothing to claim), found by the caller in this same synchronous step.
  #claim({ request, holder }: LeaseAsk, row: JobRow | undefined): Claim | null {
    const { table, lease, now } = this.#context;
    if (!row) return null;
    const granted = grantLease(recordOf(row), { leaseId: newId(), request, holder, now: now(), lease });
    table.write(granted.record);
    return { record: granted.record, response: granted.response };
  }

  async #leased(claim: Claim): Promise<Outcome<Offer>> {
    const settled = await this.#settle(claim);
    return settled.ok ? ok({ leased: settled.value }) : settled;
  }

  // The claim is durable once its turn ends (the row in SQLite, committed with the turn's other writes); its
  // record goes to R2 later (job-table.ts persistLater), and not at all when the agent ends the job first. A
  // status read of a leased job asks this object, which answers the row (object.ts queuePosition).
  async #settle(claim: Claim): Promise<Outcome<LeaseResponse>> {
    const { table, now, scheduleAlarm } = this.#context;
    table.persistLater(claim.record.id);
    await scheduleAlarm(leaseDueMs(claim.record, now().getTime()));
    return ok(claim.response);
  }
}
