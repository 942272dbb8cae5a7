import type { BuildHealthEntry } from "@qmk-edge/schema";

// The binding the Worker reaches the objects by; the objects read no binding or var.
export interface BuildHealthBindings {
  BUILD_HEALTH_STORE: DurableObjectNamespace<BuildHealthRpc>;
}

// The remote calls of a BuildHealthObject (object.ts; one per firmware version), as its client sees them.
export interface BuildHealthRpc extends Rpc.DurableObjectBranded {
  summary(): Promise<Record<string, { works: boolean; last_tested: number }>>;
  entries(): Promise<Record<string, BuildHealthEntry>>;
  entry(keyboard: string): Promise<BuildHealthEntry | null>;
  claim(
    due: string[],
    nowMs: number,
    claimMs: number,
    maxPerHour: number | null,
    agentId: string,
  ): Promise<string | null>;
  report(keyboard: string, entry: BuildHealthEntry): Promise<void>;
}
