import { agentsActiveSince, forgetAgentsSeenBefore } from "../../../jobs/agent-memory.ts";
import { renderExposition } from "../../../metrics/exposition.ts";
import type {
  AgentPresence,
  CounterSample,
  GaugeSample,
  MetricEvent,
  MetricsStore,
} from "../../../ports/metrics.ts";
import type { MetricsRpc } from "./interface.ts";

// The MetricsStore port on Workers: one MetricsObject; a request's events go in one call after the answer.
export class DurableObjectMetrics implements MetricsStore {
  readonly #stub: DurableObjectStub<MetricsRpc>;
  readonly #waitUntil: (p: Promise<unknown>) => void;

  constructor(namespace: DurableObjectNamespace<MetricsRpc>, waitUntil: (p: Promise<unknown>) => void) {
    this.#stub = namespace.get(namespace.idFromName("metrics"));
    this.#waitUntil = waitUntil;
  }

  record(events: MetricEvent[]): void {
    if (events.length === 0) return;
    this.#waitUntil(this.#stub.record(events).catch((err) => console.error("metrics: events lost:", err)));
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
