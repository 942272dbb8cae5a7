import { healthJson, requestedVersion } from "../catalogue/build-health-read.ts";
import { parseKeyboardParam } from "../catalogue/url-params.ts";
import type { Route } from "../http/route.ts";
import { NotFoundError } from "../jobs/errors.ts";

// GET /v1/keyboards/<kb>/build_log: one keyboard's { works, last_tested, message }; 404 JSON when it was
// not tested (qmk_api answered `null` with 200).
export const v1KeyboardsKeyboardBuildLog: Route = {
  method: "GET",
  path: "/v1/keyboards/:keyboard{.+}/build_log",
  handler: async (c) => {
    const keyboard = parseKeyboardParam(c.req.param("keyboard"));
    const version = requestedVersion(c);
    const entry = await c.get("deps").buildHealth.entry(version, keyboard);
    if (!entry)
      throw new NotFoundError(`no build of ${keyboard}'s default keymap on firmware ${version} yet`);
    return healthJson(c, entry);
  },
};
