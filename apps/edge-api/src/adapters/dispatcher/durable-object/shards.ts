// How the Durable Object dispatcher is split (docs/architecture.md, "The sharded dispatcher"). A job lives in
// one of DISPATCHER_SHARDS Dispatcher objects, chosen by a hash of its id, so every call about a job goes to
// the one object that holds it; an agent's lease tries its home shard (a hash of its agent id) first, then the
// others, and waits in the Lobby object only when none has a job for it. With one shard nothing changes: the
// object named "dispatcher" holds every job and its own waiting agents, as before sharding.
import type { DispatcherRpc, LobbyRpc } from "./interface.ts";

export const SHARD_ZERO_NAME = "dispatcher";
export const LOBBY_NAME = "dispatcher-lobby";

// Shard 0 keeps the name of the one object of earlier versions, so its jobs stay reachable.
export const shardName = (index: number) => (index === 0 ? SHARD_ZERO_NAME : `${SHARD_ZERO_NAME}-${index}`);

// FNV-1a: cheap, and the same in every isolate.
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export const shardOfJob = (jobId: string, shards: number) => (shards <= 1 ? 0 : hash(jobId) % shards);
export const homeShardOf = (agentId: string, shards: number) =>
  shards <= 1 ? 0 : hash(`agent:${agentId}`) % shards;

// A DurableObjectId is a plain value (a stub is not: one that once failed stays failed, so stubs are made per
// request). idFromName hashes the name, so each namespace's ids are made once per isolate and kept here.
const shardIds = new WeakMap<DurableObjectNamespace<DispatcherRpc>, DurableObjectId[]>();
const lobbyIds = new WeakMap<DurableObjectNamespace<LobbyRpc>, DurableObjectId>();

export function shardStub(
  namespace: DurableObjectNamespace<DispatcherRpc>,
  index: number,
): DurableObjectStub<DispatcherRpc> {
  let ids = shardIds.get(namespace);
  if (!ids) {
    ids = [];
    shardIds.set(namespace, ids);
  }
  let id = ids[index];
  if (!id) {
    id = namespace.idFromName(shardName(index));
    ids[index] = id;
  }
  return namespace.get(id);
}

export function lobbyStub(namespace: DurableObjectNamespace<LobbyRpc>): DurableObjectStub<LobbyRpc> {
  let id = lobbyIds.get(namespace);
  if (!id) {
    id = namespace.idFromName(LOBBY_NAME);
    lobbyIds.set(namespace, id);
  }
  return namespace.get(id);
}
