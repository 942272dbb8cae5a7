import { workersProject } from "./vitest.workers.config.ts";

// The Worker and its Dispatcher objects with DISPATCHER_SHARDS = 4 (the workers project runs 1, the default):
// the objects read the count from their own env, so only a project of its own runs them sharded. It covers
// what only sharded objects do: the Lobby's rings, a toolchain sent to every shard, leases across shards
// (docs/architecture.md, "The sharded dispatcher"); and runs the lease and disconnect routes' shared tests
// sharded.
export default workersProject({
  name: "workers-sharded",
  include: [
    "src/routes/v1_agent_lease.happy.test.ts",
    "src/routes/v1_agent_disconnect.happy.test.ts",
    "test-workers-sharded/**/*.test.ts",
  ],
  bindings: { DISPATCHER_SHARDS: "4" },
});
