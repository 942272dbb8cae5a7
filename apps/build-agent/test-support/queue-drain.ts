import { leaseResponse } from "@qmk-edge/schema";
import { LOCAL_AGENT_TOKEN } from "@qmk-edge/test/support/system.ts";

// Test files share one edge API; a job one test leaves queued (released at shutdown, say) must not be built
// by the next test's agent. This leases every queued job through the real protocol and ends it as failed.
export async function drainQueue(api: string, firmwareVersion = "demo-1"): Promise<string[]> {
  const headers = { authorization: `Bearer ${LOCAL_AGENT_TOKEN}`, "content-type": "application/json" };
  const drained: string[] = [];
  for (;;) {
    const res = await fetch(`${api}/v1/agent/lease`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        agent_id: "test-queue-drain",
        toolchains: ["avr", "arm"],
        firmware_version: firmwareVersion,
        wait_ms: 0,
      }),
    });
    if (res.status === 204) return drained;
    if (res.status !== 200) throw new Error(`draining the queue: lease answered ${res.status}`);
    const lease = leaseResponse.parse(await res.json());
    const done = await fetch(`${api}/v1/agent/jobs/${lease.job.id}/complete`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        lease_id: lease.lease_id,
        status: "failed",
        returncode: 1,
        output: "drained by the test suite between tests\n",
        command: `make ${lease.job.request.keyboard}:${lease.job.request.keymap}`,
        firmware_filename: null,
        toolchain: null,
        timings: {},
      }),
    });
    if (done.status !== 200) throw new Error(`draining ${lease.job.id}: complete answered ${done.status}`);
    drained.push(lease.job.id);
  }
}
