import { agentsActiveSince, forgetAgentsSeenBefore } from "../../../jobs/agent-memory.ts";
import type { ExpiringMemo } from "../../../memo/bounded-memo.ts";
import { renderExposition } from "../../../metrics/exposition.ts";
import type {
  AgentPresence,
  CounterSample,
  GaugeSample,
  MetricEvent,
  MetricsStore,
} from "../../../ports/metrics.ts";
import { presenceIsNews, presenceMemo } from "../presence.ts";
import type { MetricsRpc } from "./interface.ts";

// How long an isolate gathers metric events before one call takes them all to the MetricsObject: under load
// every lease and completion has events, and a call each (an RPC and a storage write in the one object) was
// most of what metrics cost. GET /metrics shows an event this much later.
export const METRICS_BATCH_MS = 50;

// The events of an isolate's requests waiting for the next call (one per isolate, beside its stores). The
// request that finds no call pending makes it, after METRICS_BATCH_MS, under its own waitUntil and with its
// own stub (a stub belongs to the request that made it); requests meanwhile only add their events.
export class MetricsBatch {
  readonly #delayMs: number;
  #events: MetricEvent[] = [];
  #pending = false;

  constructor(delayMs = METRICS_BATCH_MS) {
    this.#delayMs = delayMs;
  }

  // The call this request must wait for, or null when a pending one takes its events.
  add(events: MetricEvent[], send: (events: MetricEvent[]) => Promise<void>): Promise<void> | null {
    this.#events.push(...events);
    if (this.#pending) return null;
    this.#pending = true;
    return new Promise<void>((resolve) => setTimeout(resolve, this.#delayMs)).then(() => {
      const taken = this.#events;
      this.#events = [];
      this.#pending = false;
      return send(taken);
    });
  }
}

// The MetricsStore port on Workers: one MetricsObject; an isolate's events go in one call per METRICS_BATCH_MS,
// after the answers. The stub is made by the request that calls (idFromName hashes the name: most requests'
// events ride on another request's pending call, and they make none).
export class DurableObjectMetrics implements MetricsStore {
  readonly #namespace: DurableObjectNamespace<MetricsRpc>;
  #made: DurableObjectStub<MetricsRpc> | null = null;
  readonly #waitUntil: (p: Promise<unknown>) => void;
  readonly #sent: ExpiringMemo<string>;
  readonly #batch: MetricsBatch;

  constructor(
    namespace: DurableObjectNamespace<MetricsRpc>,
    waitUntil: (p: Promise<unknown>) => void,
    sentPresence: ExpiringMemo<string> = presenceMemo(),
    batch: MetricsBatch = new MetricsBatch(),
  ) {
    this.#namespace = namespace;
    this.#waitUntil = waitUntil;
    this.#sent = sentPresence;
    this.#batch = batch;
  }

  get #stub(): DurableObjectStub<MetricsRpc> {
    this.#made ??= this.#namespace.get(this.#namespace.idFromName("metrics"));
    return this.#made;
  }

  record(all: MetricEvent[]): void {
    const events = all.filter((event) => event.kind !== "agent" || presenceIsNews(this.#sent, event));
    if (events.length === 0) return;
    // The try covers a stub that throws as it is called (not only a call that rejects).
    const call = this.#batch.add(events, async (taken) => {
      try {
        await this.#stub.record(taken);
      } catch (err) {
        console.error("metrics: events lost:", err);
      }
    });
    if (call) this.#waitUntil(call);
  }

  async counters(): Promise<CounterSample[]> {
    return (await this.#stub.snapshot()).counters;
  }

  async agents(now: Date, windowSeconds: number): Promise<AgentPresence[]> {
    return await this.#stub.agents(agentsActiveSince(now, windowSeconds), forgetAgentsSeenBefore(now));
  }

  async exposition(gauges: GaugeSample[]): Promise<string> {
    return renderExposition({ ...(await this.#stub.snapshot()), gauges });
  }
}
