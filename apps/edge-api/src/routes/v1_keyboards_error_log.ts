import { healthJson, requestedVersion } from "../catalogue/build-health-read.ts";
import type { Route } from "../http/route.ts";

// GET /v1/keyboards/error_log: qmk_api's list of { severity, message } from the last run; here one error per
// keyboard whose default keymap did not build when last tested (with the first error line of its log).
export const v1KeyboardsErrorLog: Route = {
  method: "GET",
  path: "/v1/keyboards/error_log",
  handler: async (c) => {
    const entries = await c.get("deps").buildHealth.entries(requestedVersion(c));
    const body = [...entries]
      .filter(([, e]) => !e.works)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([keyboard, e]) => {
        const line = e.message.split("\n").find((l) => /error/i.test(l)) ?? e.message.split("\n")[0] ?? "";
        return { severity: "error", keyboard, message: `Error: ${keyboard}: ${line.slice(0, 500)}` };
      });
    return healthJson(c, body);
  },
};
