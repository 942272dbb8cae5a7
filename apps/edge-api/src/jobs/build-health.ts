// Which keyboard an idle agent builds next, and what a user is told about a keyboard known not to build.
// Plain rules over what the BuildHealthStore holds; both runtimes' stores apply them.
import type { BuildHealthEntry } from "@qmk-edge/schema";
import type { HealthSummary } from "../ports/build-health.ts";

export interface BuildHealthPolicy {
  enabled: boolean;
  // A keyboard is built again once its last result is this old.
  retestSeconds: number;
  // Default-keymap builds handed out per firmware version and clock hour; null = no limit.
  maxPerHour: number | null;
  // How long a handed-out keyboard is not handed to another agent.
  claimSeconds: number;
}

// Keyboards due, in the order to build them: never tested (by name), then the longest untested first.
export function dueKeyboards(
  keyboards: Iterable<string>,
  summary: HealthSummary,
  nowMs: number,
  retestSeconds: number,
): string[] {
  const never: string[] = [];
  const stale: Array<[string, number]> = [];
  for (const kb of keyboards) {
    const last = summary.get(kb)?.last_tested;
    if (last === undefined) never.push(kb);
    else if (nowMs / 1000 - last >= retestSeconds) stale.push([kb, last]);
  }
  never.sort();
  stale.sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
  return [...never, ...stale.map(([kb]) => kb)];
}

export const hourOf = (nowMs: number) => Math.floor(nowMs / 3_600_000);

// The note a compile of a keyboard known not to build carries into its output.
export function knownBrokenNote(keyboard: string, firmwareVersion: string, entry: BuildHealthEntry): string {
  const when = new Date(entry.last_tested * 1000).toISOString();
  const first = entry.message.split("\n").find((l) => /error/i.test(l)) ?? entry.message.split("\n")[0] ?? "";
  return (
    `Note: ${keyboard}'s default keymap did not build on firmware ${firmwareVersion} when last tested ` +
    `(${when}): ${first.slice(0, 300)}. See GET /v1/keyboards/${keyboard}/build_log.`
  );
}
