import { agentsActiveSince, forgetAgentsSeenBefore } from "../../../jobs/agent-memory.ts";
import { ExpiringMemo } from "../../../memo/bounded-memo.ts";
import { renderExposition } from "../../../metrics/exposition.ts";
import type {
  AgentPresence,
  CounterSample,
  GaugeSample,
  MetricEvent,
  MetricsStore,
} from "../../../ports/metrics.ts";
import type { MetricsRpc } from "./interface.ts";

// An idle agent polls for a lease every few seconds, and the one MetricsObject would take a call per poll of
// the whole fleet. Presence only has to be as fresh as the agent window (at least 30 s), so an isolate sends
// an agent's presence again only after this long, or when its version or toolchains change.
export const PRESENCE_REFRESH_MS = 10_000;

// Which agents an isolate sent lately (agent id -> version and toolchains); one per isolate, beside its stores.
export function presenceMemo(now?: () => number): ExpiringMemo<string> {
  return new ExpiringMemo<string>(10_000, PRESENCE_REFRESH_MS, now);
}

// The MetricsStore port on Workers: one MetricsObject; a request's events go in one call after the answer.
export class DurableObjectMetrics implements MetricsStore {
  readonly #stub: DurableObjectStub<MetricsRpc>;
  readonly #waitUntil: (p: Promise<unknown>) => void;
  readonly #sent: ExpiringMemo<string>;

  constructor(
    namespace: DurableObjectNamespace<MetricsRpc>,
    waitUntil: (p: Promise<unknown>) => void,
    sentPresence: ExpiringMemo<string> = presenceMemo(),
  ) {
    this.#stub = namespace.get(namespace.idFromName("metrics"));
    this.#waitUntil = waitUntil;
    this.#sent = sentPresence;
  }

  record(all: MetricEvent[]): void {
    const events = all.filter((event) => event.kind !== "agent" || this.#presenceIsNews(event));
    if (events.length === 0) return;
    this.#waitUntil(this.#stub.record(events).catch((err) => console.error("metrics: events lost:", err)));
  }

  #presenceIsNews(event: Extract<MetricEvent, { kind: "agent" }>): boolean {
    const what = `${event.firmwareVersion}\n${event.toolchains.join(",")}`;
    const last = this.#sent.lookup(event.agentId);
    if (last.found && last.value === what) return false;
    this.#sent.set(event.agentId, what);
    return true;
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
