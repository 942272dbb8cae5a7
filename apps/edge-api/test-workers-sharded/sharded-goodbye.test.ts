import type { LeaseHolder, LeaseRequest } from "@qmk-edge/schema";
import { describe, expect, it } from "vitest";
import { DurableObjectDispatcher } from "../src/adapters/dispatcher/durable-object/client.ts";
import { GOODBYE_MARGIN_MS } from "../src/adapters/dispatcher/durable-object/goodbyes.ts";
import type { DispatcherRpc, LobbyWait } from "../src/adapters/dispatcher/durable-object/interface.ts";
import { lobbyStub } from "../src/adapters/dispatcher/durable-object/shards.ts";
import { newId } from "../src/jobs/job-id.ts";
import { workerEnv } from "../test-support/target.worker.ts";

// An agent's disconnect (POST /v1/agent/disconnect) with four shards ends its lease poll wherever the poll
// is: waiting in the Lobby, or still asking the shards when the goodbye reached the Lobby (the fleet's last
// polls at the end of a drain), which then waited out its whole wait (docs/architecture.md, "The sharded
// dispatcher"). Each test uses a firmware version and agents of its own, so no other test's jobs meet them.

const SHARDS = Number(workerEnv.DISPATCHER_SHARDS);
// Longer than a test may take: a wait that is not ended fails the test by its timeout.
const FOREVER_MS = 600_000;

describe("a sharded agent's disconnect", () => {
  it("ends a lease poll that was still asking the shards when the disconnect reached the Lobby", async () => {
    const version = `goodbye-${newId()}`;
    const holder: LeaseHolder = { token_id: "goodbye-token", trust: "trusted" };
    const request: LeaseRequest = {
      agent_id: `goodbye-agent-${newId()}`,
      toolchains: ["avr", "arm"],
      firmware_version: version,
      wait_ms: FOREVER_MS,
    };
    // The shards as the Worker's binding; their offers are held until the disconnect has answered, so the
    // poll reaches the Lobby only after the goodbye did, as a poll's four offers in a loaded workerd do.
    let goodbyeAnswered!: () => void;
    const answered = new Promise<void>((resolve) => {
      goodbyeAnswered = resolve;
    });
    const offersMade: number[] = [];
    const namespace = {
      idFromName: (name: string) => workerEnv.DISPATCHER.idFromName(name),
      get(id: DurableObjectId) {
        const stub = workerEnv.DISPATCHER.get(id);
        return {
          offer: async (...args: Parameters<DispatcherRpc["offer"]>) => {
            await answered;
            offersMade.push(1);
            return await stub.offer(...args);
          },
          disconnect: (...args: Parameters<DispatcherRpc["disconnect"]>) => stub.disconnect(...args),
        };
      },
    } as unknown as DurableObjectNamespace<DispatcherRpc>;
    const dispatcher = new DurableObjectDispatcher(namespace, workerEnv.JOBS, {
      shards: SHARDS,
      lobby: workerEnv.DISPATCHER_LOBBY,
    });

    const poll = dispatcher.lease(request, holder);
    expect(await dispatcher.disconnect(request.agent_id, holder)).toBe(0);
    goodbyeAnswered();
    expect(await poll).toBeNull();
    // It did look at every shard (a job there would have been leased, as with one object), then did not wait.
    expect(offersMade).toHaveLength(SHARDS);
  });

  it("the Lobby ends a wait of a poll begun before a goodbye it took, not one begun later or of another token", async () => {
    const version = `goodbye-lobby-${newId()}`;
    const agentId = `goodbye-lobby-agent-${newId()}`;
    const lobby = lobbyStub(workerEnv.DISPATCHER_LOBBY);
    const wait = (tokenId: string, startedMs: number): LobbyWait => ({
      firmwareVersion: version,
      toolchains: ["avr"],
      agentId,
      tokenId,
      startedMs,
      sinceMs: Date.now(),
      waitMs: FOREVER_MS,
    });
    const began = Date.now();
    await lobby.endWaits(agentId, "gone-token");
    expect(await lobby.waitForWork(wait("gone-token", began))).toBe("ended");

    // The same agent id under another token, and a poll of this token begun well after the goodbye (a
    // restarted agent): both wait, until a ring sends them back to the shards.
    const otherToken = lobby.waitForWork(wait("other-token", began));
    await lobby.ring(version, "avr");
    expect(await otherToken).toBe("work");
    const later = lobby.waitForWork(wait("gone-token", Date.now() + GOODBYE_MARGIN_MS + 1));
    await lobby.ring(version, "avr");
    expect(await later).toBe("work");
  });
});
