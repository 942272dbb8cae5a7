import { parseJobId } from "../http/parse-input.ts";
import { jsonAnswer } from "../http/public-cors.ts";
import { rememberedRefusal } from "../http/refusal-as-job.ts";
import type { Route } from "../http/route.ts";
import { NotFoundError } from "../jobs/errors.ts";
import { failIfNoAgent } from "../jobs/no-agent.ts";
import { compileStatusText, publicBaseUrl } from "../jobs/status-view.ts";

// GET /v1/compile/:id: the v1 status object, built from the job record alone.
export const v1CompileStatus: Route = {
  method: "GET",
  path: "/v1/compile/:id",
  handler: async (c) => {
    const deps = c.get("deps");
    const id = parseJobId(c.req.param("id"));
    const stored = rememberedRefusal(id, deps.now()) ?? (await deps.jobs.get(id));
    if (!stored) throw new NotFoundError(`no job ${id}`);
    const { dispatcher, config } = deps;
    const record = await failIfNoAgent(stored, {
      dispatcher,
      now: deps.now(),
      waitSeconds: config.noAgentWaitSeconds,
      windowSeconds: config.agentWindowSeconds,
    });
    const view =
      record.status === "queued" ? await deps.dispatcher.queueView(record) : { record, queuePosition: null };
    const baseUrl = publicBaseUrl(c.req.url, deps.config.publicBaseUrl);
    // What c.json would send, the same text with the same headers; the text is kept per record (status-view.ts).
    const text = compileStatusText(view.record, {
      baseUrl,
      now: deps.now(),
      queuePosition: view.queuePosition,
    });
    return jsonAnswer(c, text, 200, { "cache-control": "no-store" });
  },
};
