// A queued job of the demo keyboard, an agent's lease request and a completion that reports a failed build:
// what the dispatcher tests (test-node/redis-dispatcher*.test.ts) hand the dispatcher.
import type { JobRecord, LeaseRequest, LeaseResponse } from "@qmk-edge/schema";
import { newId } from "../src/jobs/job-id.ts";
import { newJobRecord } from "../src/jobs/lifecycle.ts";

export function demoJobRecord(
  options: { keymap?: string; maxAttempts?: number; version?: string; keyboard?: string } = {},
): JobRecord {
  return newJobRecord({
    id: newId(),
    request: {
      keyboard: options.keyboard ?? "handwired/qmk_edge_demo",
      keymap: options.keymap ?? "default",
      layout: "LAYOUT_ortho_2x2",
      layers: [["KC_A", "KC_B", "KC_C", "KC_D"]],
    },
    contentKey: newId() + newId(),
    firmwareVersion: options.version ?? "demo-1",
    maxAttempts: options.maxAttempts ?? 3,
    now: new Date().toISOString(),
  });
}

export const leaseRequest = (agentId: string, extra: Partial<LeaseRequest> = {}): LeaseRequest => ({
  agent_id: agentId,
  toolchains: ["avr", "arm"],
  firmware_version: "demo-1",
  wait_ms: 0,
  ...extra,
});

export const failedCompletion = (lease: LeaseResponse) => ({
  lease_id: lease.lease_id,
  status: "failed" as const,
  returncode: 2,
  output: "make: error",
  command: "make x:y",
  firmware_filename: null,
  toolchain: null,
  timings: {},
});
