import { buildHealthReport, LIMITS } from "@qmk-edge/schema";
import { readCurrentCatalogue } from "../catalogue/current-catalogue.ts";
import { requireTrustedAgent } from "../http/agent-auth.ts";
import { parseInput } from "../http/parse-input.ts";
import { readJsonBody } from "../http/request-body.ts";
import { InvalidInputError } from "../http/request-errors.ts";
import type { Route } from "../http/route.ts";

// POST /v1/agent/build_health/report: a trusted agent's result of building one catalogue keyboard's default
// keymap. `last_tested` is the API's clock, never the agent's.
export const v1AgentBuildHealthReport: Route = {
  method: "POST",
  path: "/v1/agent/build_health/report",
  handler: async (c) => {
    const deps = c.get("deps");
    requireTrustedAgent(c.get("agent"), "reporting keyboard build health");
    const report = parseInput(
      buildHealthReport,
      await readJsonBody(c.req.raw, LIMITS.bodyBytes),
      "build health report",
    );
    const catalogue = await readCurrentCatalogue(deps.blobs, report.firmware_version);
    if (!catalogue?.keyboards.has(report.keyboard)) {
      const message = `no keyboard ${report.keyboard} in the catalogue of firmware ${report.firmware_version}`;
      throw new InvalidInputError("unknown keyboard", [{ path: "keyboard", message }]);
    }
    await deps.buildHealth.report(report.firmware_version, report.keyboard, {
      works: report.works,
      last_tested: Math.floor(deps.now().getTime() / 1000),
      message: report.message,
    });
    return c.json({ recorded: true });
  },
};
