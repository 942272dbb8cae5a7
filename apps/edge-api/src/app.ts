import { type Context, Hono, type Next } from "hono";
import { methodNotAllowed } from "hono/method-not-allowed";
import type { AppEnv, Deps } from "./deps.ts";
import { requireAgent, requireOperator } from "./http/agent-auth.ts";
import { errorHandler, methodNotAllowedHandler, notFoundHandler } from "./http/error-handler.ts";
import { publicCors } from "./http/public-cors.ts";
import type { Route } from "./http/route.ts";
import { configuratorDefaultKeymap } from "./routes/configurator_default_keymap.ts";
import { metricsScrape } from "./routes/metrics.ts";
import { v1AgentArtifactLink } from "./routes/v1_agent_artifact_link.ts";
import { v1AgentArtifactUpload } from "./routes/v1_agent_artifact_upload.ts";
import { v1AgentBuildHealthClaim } from "./routes/v1_agent_build_health_claim.ts";
import { v1AgentBuildHealthReport } from "./routes/v1_agent_build_health_report.ts";
import { v1AgentCatalogueObjectPut } from "./routes/v1_agent_catalogue_object_put.ts";
import { v1AgentCatalogueObjectsMissing } from "./routes/v1_agent_catalogue_objects_missing.ts";
import { v1AgentCataloguePublish } from "./routes/v1_agent_catalogue_publish.ts";
import { v1AgentComplete } from "./routes/v1_agent_complete.ts";
import { v1AgentDisconnect } from "./routes/v1_agent_disconnect.ts";
import { v1AgentHeartbeat } from "./routes/v1_agent_heartbeat.ts";
import { v1AgentLease } from "./routes/v1_agent_lease.ts";
import { v1AgentRelease } from "./routes/v1_agent_release.ts";
import { v1CompileArtifact } from "./routes/v1_compile_artifact.ts";
import { v1CompileCreate } from "./routes/v1_compile_create.ts";
import { v1CompileStatus } from "./routes/v1_compile_status.ts";
import { v1KeyboardDefaultKeymap } from "./routes/v1_keyboard_default_keymap.ts";
import { v1KeyboardInfo } from "./routes/v1_keyboard_info.ts";
import { v1KeyboardList } from "./routes/v1_keyboard_list.ts";
import { v1KeyboardReadme } from "./routes/v1_keyboard_readme.ts";
import { v1KeyboardsBuildLog } from "./routes/v1_keyboards_build_log.ts";
import { v1KeyboardsBuildStatus } from "./routes/v1_keyboards_build_status.ts";
import { v1KeyboardsBuildSummary } from "./routes/v1_keyboards_build_summary.ts";
import { v1KeyboardsErrorLog } from "./routes/v1_keyboards_error_log.ts";
import { v1KeyboardsKeyboardBuildLog } from "./routes/v1_keyboards_keyboard_build_log.ts";
import { v1OpenApi } from "./routes/v1_openapi.ts";
import { v1OperatorPurgeAgent } from "./routes/v1_operator_purge_agent.ts";
import { v1SkeletonsKeymap } from "./routes/v1_skeletons_keymap.ts";
import { v1Status } from "./routes/v1_status.ts";

export const routes: Route[] = [
  ...v1Status,
  v1OpenApi,
  v1CompileCreate,
  v1CompileStatus,
  ...v1CompileArtifact,
  v1KeyboardList,
  v1KeyboardInfo,
  v1KeyboardReadme,
  v1KeyboardDefaultKeymap,
  v1KeyboardsBuildStatus,
  v1KeyboardsBuildLog,
  v1KeyboardsBuildSummary,
  v1KeyboardsErrorLog,
  v1KeyboardsKeyboardBuildLog,
  v1SkeletonsKeymap,
  configuratorDefaultKeymap,
  v1AgentLease,
  v1AgentHeartbeat,
  v1AgentArtifactUpload,
  v1AgentArtifactLink,
  v1AgentComplete,
  v1AgentRelease,
  v1AgentDisconnect,
  v1AgentCatalogueObjectsMissing,
  v1AgentCatalogueObjectPut,
  v1AgentCataloguePublish,
  v1AgentBuildHealthClaim,
  v1AgentBuildHealthReport,
  v1OperatorPurgeAgent,
  metricsScrape,
];

// Routes for the service's own agents and operators (and the operator's /metrics), under their own prefixes: not part of the public API
// (no CORS, not in the OpenAPI document). Every other route is public and documented (v1_openapi tests).
export const INTERNAL_PREFIXES = ["/v1/agent/", "/v1/operator/", "/metrics"] as const;
export const isInternalPath = (path: string) => INTERNAL_PREFIXES.some((prefix) => path.startsWith(prefix));

export interface AppOptions {
  // Called once per request by the entry point's runtime: Workers builds Deps from `env`, Node hands out its own.
  deps: (c: Context<AppEnv>) => Deps | Promise<Deps>;
}

// Browsers (QMK Configurator) call the public routes from any origin; agents and operators are not browsers.
const corsForPublicRoutes = publicCors({
  allowMethods: ["GET", "HEAD", "POST", "OPTIONS"],
  allowHeaders: ["Content-Type", "If-None-Match"],
  exposeHeaders: ["ETag", "Content-Disposition", "Content-Length", "Retry-After"],
  maxAge: 86400,
});

export function createApp(options: AppOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.onError(errorHandler);
  // Outside /v1, a path no route has is a file of the web app served beside the API, when there is one.
  app.notFound(async (c) => {
    const files = c.var.deps?.staticFiles;
    const servable = (c.req.method === "GET" || c.req.method === "HEAD") && !c.req.path.startsWith("/v1/");
    const file = files && servable ? await files.serve(c.req.raw) : null;
    return file ?? notFoundHandler(c);
  });
  // Deps, then CORS for public routes, then 405s, as one middleware: each middleware is a level of Hono's
  // composition (an async call and an await per request), and every request passes all three.
  const allowedMethods = methodNotAllowed({ app, onMethodNotAllowed: methodNotAllowedHandler });
  const front = (c: Context<AppEnv>, deps: Deps, next: Next) => {
    c.set("deps", deps);
    // methodNotAllowed sets c.res itself and resolves to nothing the CORS middleware reads.
    const inner = () => allowedMethods(c, next) as Promise<void>;
    return isInternalPath(c.req.path) ? inner() : corsForPublicRoutes(c, inner);
  };
  app.use((c, next) => {
    const deps = options.deps(c);
    return deps instanceof Promise ? deps.then((d) => front(c, d, next)) : front(c, deps, next);
  });
  app.use("/v1/agent/*", requireAgent);
  app.use("/v1/operator/*", requireOperator);
  app.use("/metrics", requireOperator);
  for (const route of routes) app.on(route.method, route.path, route.handler);
  return app;
}
