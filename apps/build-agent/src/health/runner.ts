// While the agent has no user job, builds keyboards' default keymaps one after another as the API hands
// them out (POST /v1/agent/build_health/claim, then .../report). Lowest priority: the loop preempts it the
// moment a lease brings a user job, and the keyboard is handed out again once its claim runs out.
import type { ApiClient } from "../api/client.ts";
import { ApiError } from "../api/errors.ts";
import type { BuildContext } from "../job/context.ts";
import type { Logger } from "../log.ts";
import type { AgentMetrics } from "../metrics/agent-metrics.ts";
import { buildDefaultKeymap } from "./default-build.ts";

export class HealthPreempted extends Error {
  override name = "HealthPreempted";
}

export class BuildHealthRunner {
  readonly #o: { api: ApiClient; build: BuildContext; agentId: string; log: Logger; metrics?: AgentMetrics };
  #current: { abort: AbortController; done: Promise<void> } | null = null;
  #disabled = false;
  #built = 0;

  constructor(opts: {
    api: ApiClient;
    build: BuildContext;
    agentId: string;
    log: Logger;
    metrics?: AgentMetrics;
  }) {
    this.#o = opts;
  }

  get active(): boolean {
    return this.#current !== null;
  }

  get built(): number {
    return this.#built;
  }

  // Starts a round unless one runs or the API refused this agent (a community token).
  start(): void {
    if (this.#current || this.#disabled) return;
    const abort = new AbortController();
    const done = this.#round(abort.signal)
      .catch((err) => {
        if (abort.signal.aborted) return;
        if (err instanceof ApiError && err.status === 403) {
          this.#disabled = true;
          this.#o.log.info("not building default keymaps: the API wants a trusted token for that");
        } else this.#o.log.warn("build health round stopped", { problem: String(err) });
      })
      .finally(() => {
        if (this.#current?.abort === abort) this.#current = null;
      });
    this.#current = { abort, done };
  }

  // Stops the round now (a user job came, or the agent stops) and waits until its build has ended.
  async stop(reason: string): Promise<void> {
    const current = this.#current;
    if (!current) return;
    current.abort.abort(new HealthPreempted(reason));
    await current.done;
  }

  async #round(signal: AbortSignal): Promise<void> {
    const { api, build, agentId, log, metrics } = this.#o;
    const version = build.trees.current.version;
    while (!signal.aborted) {
      const claim = await api.claimBuildHealth({ agent_id: agentId, firmware_version: version }, signal);
      if (!claim) return;
      const started = performance.now();
      const outcome = await buildDefaultKeymap(claim.keyboard, build, signal);
      if (outcome.kind === "skipped") {
        log.debug("default keymap left to another agent", {
          keyboard: claim.keyboard,
          reason: outcome.reason,
        });
        continue;
      }
      await api.reportBuildHealth(
        {
          firmware_version: version,
          keyboard: claim.keyboard,
          works: outcome.works,
          message: outcome.message,
        },
        signal,
      );
      this.#built++;
      metrics?.healthBuilds.inc({ firmware_version: version, works: String(outcome.works) });
      log.info(`default keymap of ${claim.keyboard} ${outcome.works ? "builds" : "does not build"}`, {
        took_ms: Math.round(performance.now() - started),
      });
    }
  }
}
