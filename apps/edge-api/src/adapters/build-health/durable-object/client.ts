import type { BuildHealthEntry } from "@qmk-edge/schema";
import type { BuildHealthStore, HealthSummary } from "../../../ports/build-health.ts";
import type { BuildHealthRpc } from "./interface.ts";

// The BuildHealthStore port on Workers: one BuildHealthObject per firmware version.
export class DurableObjectBuildHealthStore implements BuildHealthStore {
  readonly #namespace: DurableObjectNamespace<BuildHealthRpc>;

  constructor(namespace: DurableObjectNamespace<BuildHealthRpc>) {
    this.#namespace = namespace;
  }

  #stub(version: string) {
    return this.#namespace.get(this.#namespace.idFromName(version));
  }

  async summary(version: string): Promise<HealthSummary> {
    return new Map(Object.entries(await this.#stub(version).summary()));
  }

  async entries(version: string): Promise<Map<string, BuildHealthEntry>> {
    return new Map(Object.entries(await this.#stub(version).entries()));
  }

  async entry(version: string, keyboard: string): Promise<BuildHealthEntry | null> {
    return await this.#stub(version).entry(keyboard);
  }

  async claim(
    version: string,
    due: string[],
    args: { nowMs: number; claimMs: number; maxPerHour: number | null; agentId: string },
  ): Promise<string | null> {
    return await this.#stub(version).claim(due, args.nowMs, args.claimMs, args.maxPerHour, args.agentId);
  }

  async report(version: string, keyboard: string, entry: BuildHealthEntry): Promise<void> {
    await this.#stub(version).report(keyboard, entry);
  }
}
