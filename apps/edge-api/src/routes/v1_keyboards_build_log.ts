import { healthJson, requestedVersion } from "../catalogue/build-health-read.ts";
import type { Route } from "../http/route.ts";

// GET /v1/keyboards/build_log: each tested keyboard's { works, last_tested (Unix seconds), message }.
export const v1KeyboardsBuildLog: Route = {
  method: "GET",
  path: "/v1/keyboards/build_log",
  handler: async (c) => {
    const entries = await c.get("deps").buildHealth.entries(requestedVersion(c));
    return healthJson(c, Object.fromEntries([...entries].sort(([a], [b]) => a.localeCompare(b))));
  },
};
