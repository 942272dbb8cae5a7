import { parseJobId } from "../http/parse-input.ts";
import type { Route } from "../http/route.ts";
import { NotFoundError } from "../jobs/errors.ts";
import { compileStatusOf, publicBaseUrl } from "../jobs/status-view.ts";

// GET /v1/compile/:id: the v1 status object, built from the job record alone.
export const v1CompileStatus: Route = {
  method: "GET",
  path: "/v1/compile/:id",
  handler: async (c) => {
    const deps = c.get("deps");
    const id = parseJobId(c.req.param("id"));
    const record = await deps.jobs.get(id);
    if (!record) throw new NotFoundError(`no job ${id}`);
    const queuePosition = record.status === "queued" ? await deps.dispatcher.queuePosition(id) : null;
    const baseUrl = publicBaseUrl(c.req.url, deps.config.publicBaseUrl);
    c.header("Cache-Control", "no-store");
    return c.json(compileStatusOf(record, { baseUrl, now: deps.now(), queuePosition }));
  },
};
