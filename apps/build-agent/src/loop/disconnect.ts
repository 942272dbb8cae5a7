import type { ApiClient } from "../api/client.ts";
import type { Logger } from "../log.ts";

// The agent's goodbye, once every job it knows of is settled (at shutdown, and before a crash exits). The lease
// poll aborted at shutdown may still be held by the API (workerd does not see a long poll's client go away)
// and would take the next job for nobody until that lease expired. Never throws.
export async function disconnect(api: ApiClient, agentId: string, log: Logger): Promise<void> {
  try {
    const released = await api.disconnect({ agent_id: agentId }, AbortSignal.timeout(5_000));
    if (released > 0) log.info("the API handed back jobs it had leased to this agent", { released });
  } catch (err) {
    log.warn(
      "could not tell the API this agent is leaving; a job leased to it now waits for its lease to expire",
      {
        problem: String(err),
      },
    );
  }
}
