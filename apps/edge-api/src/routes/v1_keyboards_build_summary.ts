import { healthJson, requestedVersion } from "../catalogue/build-health-read.ts";
import type { Route } from "../http/route.ts";

// GET /v1/keyboards/build_summary: build_log without the messages ({ works, last_tested } per keyboard).
export const v1KeyboardsBuildSummary: Route = {
  method: "GET",
  path: "/v1/keyboards/build_summary",
  handler: async (c) => {
    const summary = await c.get("deps").buildHealth.summary(requestedVersion(c));
    const body = Object.fromEntries(
      [...summary]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([kb, s]) => [kb, { works: s.works, last_tested: s.last_tested }]),
    );
    return healthJson(c, body);
  },
};
