// The metric events of a job's moments, from its record: accepted (cached or queued), ended by an agent.
import type { CompleteRequest, JobRecord } from "@qmk-edge/schema";
import type { MetricEvent } from "../ports/metrics.ts";

// Agents report a build that never reached make with return code -1 (apps/build-agent job/failure.ts).
const NOT_BUILT = -1;

// A bounded set of reasons, so labels never carry user text: refused (the agent refused the request before
// make: unknown keycode, keyboard or layout), timeout, build_error (make failed), none (finished).
export function failureClass(request: Pick<CompleteRequest, "status" | "returncode" | "output">): string {
  if (request.status === "finished") return "none";
  if (request.returncode === NOT_BUILT) return "refused";
  if (/took longer than .* and was stopped/.test(request.output)) return "timeout";
  return "build_error";
}

export function submittedEvents(firmwareVersion: string, cached: boolean): MetricEvent[] {
  return [
    {
      kind: "count",
      counter: "buildCacheLookups",
      labels: { firmware_version: firmwareVersion, result: cached ? "hit" : "miss" },
    },
    {
      kind: "count",
      counter: "jobsSubmitted",
      labels: { firmware_version: firmwareVersion, cached: String(cached) },
    },
  ];
}

export function unavailableEvents(firmwareVersion: string): MetricEvent[] {
  const labels = { firmware_version: firmwareVersion, outcome: "failed", reason: "queue_unavailable" };
  return [{ kind: "count", counter: "jobsEnded", labels }];
}

const seconds = (from: string | null, to: string | null) =>
  from && to ? Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000) : null;

// An agent completed `record` (its state after completion) with `request`.
export function endedEvents(record: JobRecord, request: CompleteRequest): MetricEvent[] {
  const version = record.firmware_version;
  const events: MetricEvent[] = [
    {
      kind: "count",
      counter: "jobsEnded",
      labels: { firmware_version: version, outcome: request.status, reason: failureClass(request) },
    },
  ];
  const stages: Array<[string, number | null | undefined]> = [
    ["queued", seconds(record.enqueued_at, record.started_at)],
    ["prepare", msToSeconds(request.timings.prepare_ms)],
    ["compile", msToSeconds(request.timings.compile_ms)],
    ["package", msToSeconds(request.timings.package_ms)],
    ["upload", msToSeconds(request.timings.upload_ms)],
    ["total", seconds(record.created_at, record.finished_at)],
  ];
  for (const [stage, value] of stages) {
    if (value === null || value === undefined) continue;
    events.push({
      kind: "observe",
      histogram: "jobStageSeconds",
      labels: { firmware_version: version, stage },
      value,
    });
  }
  return events;
}

const msToSeconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);
