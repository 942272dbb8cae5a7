import { healthJson, requestedVersion } from "../catalogue/build-health-read.ts";
import type { Route } from "../http/route.ts";

// GET /v1/keyboards/build_status: { "<keyboard>": true | false }, whether its default keymap built when last
// tested (qmk_api's shape; keyboards not tested yet are absent).
export const v1KeyboardsBuildStatus: Route = {
  method: "GET",
  path: "/v1/keyboards/build_status",
  handler: async (c) => {
    const summary = await c.get("deps").buildHealth.summary(requestedVersion(c));
    const body = Object.fromEntries(
      [...summary].sort(([a], [b]) => a.localeCompare(b)).map(([kb, s]) => [kb, s.works]),
    );
    return healthJson(c, body);
  },
};
