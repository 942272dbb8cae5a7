import type { BuildHealthEntry } from "@qmk-edge/schema";

// works and last_tested of each keyboard reported.
export type HealthSummary = Map<string, Pick<BuildHealthEntry, "works" | "last_tested">>;

// The last default-keymap build of each keyboard, per firmware version, and who builds which next.
// Node: Redis (adapters/build-health/redis.ts); Workers: one BuildHealthObject per version
// (adapters/build-health/durable-object/).
export interface BuildHealthStore {
  // works and last_tested of every keyboard reported (no messages: small enough to read per claim).
  summary(firmwareVersion: string): Promise<HealthSummary>;
  entries(firmwareVersion: string): Promise<Map<string, BuildHealthEntry>>;
  entry(firmwareVersion: string, keyboard: string): Promise<BuildHealthEntry | null>;
  // Hands out the first of `due` that no other agent holds a claim on, for `claimMs` (an agent's own claim
  // is renewed: a build it stopped for a user job comes back to it); null when all are held or `maxPerHour`
  // claims were handed out this clock hour.
  claim(
    firmwareVersion: string,
    due: string[],
    args: { nowMs: number; claimMs: number; maxPerHour: number | null; agentId: string },
  ): Promise<string | null>;
  report(firmwareVersion: string, keyboard: string, entry: BuildHealthEntry): Promise<void>;
}
