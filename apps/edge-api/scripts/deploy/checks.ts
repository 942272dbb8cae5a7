// The checks a Worker bundle and its wrangler.jsonc must pass before `wrangler deploy`: bindings as the code
// reads them (src/workers/env.ts), Durable Object classes exported and migrated, no development value in what
// would be deployed, the bundle within Workers' size limits. Pure functions over texts and the parsed config.
import ts from "typescript";

// The parts of wrangler's resolved config (unstable_readConfig) the checks read.
export interface DeployConfig {
  vars: Record<string, unknown>;
  secrets?: { required?: string[] };
  r2_buckets: Array<{ binding: string }>;
  queues: { producers?: Array<{ binding: string; queue: string }>; consumers?: Array<{ queue: string }> };
  durable_objects: { bindings: Array<{ name: string; class_name: string; script_name?: string }> };
  migrations: Array<{ tag: string; new_sqlite_classes?: string[]; new_classes?: string[] }>;
  analytics_engine_datasets?: Array<{ binding: string; dataset?: string }>;
  assets?: { binding?: string };
  triggers?: { crons?: string[] };
}

export type BindingKind = "r2" | "queue" | "durable_object" | "analytics_engine" | "assets" | "text";

// Workers' limits on a script, after gzip: 3 MiB on the Free plan, 10 MiB on Paid. The check holds the Free
// limit, so any account can deploy it.
export const WORKER_GZIP_LIMIT_BYTES = 3 * 1024 * 1024;

const KIND_OF_TYPE: Array<[RegExp, BindingKind]> = [
  [/^R2Bucket$/, "r2"],
  [/^Queue(<.*>)?$/, "queue"],
  [/^DurableObjectNamespace(<.*>)?$/, "durable_object"],
  [/^AnalyticsEngineDataset$/, "analytics_engine"],
  [/^Fetcher$/, "assets"],
  [/^string$/, "text"],
];

// The members of `interface Env` in src/workers/env.ts, its own and those it extends (each Durable Object's
// interface.ts declares the bindings it needs), by the kind their type names.
const envBindingsByPath = new Map<string, Map<string, { kind: BindingKind | null; optional: boolean }>>();

// A TypeScript program per call costs seconds; env.ts does not change while the check runs.
export function envBindings(envPath: string): Map<string, { kind: BindingKind | null; optional: boolean }> {
  const known = envBindingsByPath.get(envPath);
  if (known) return known;
  const out = readEnvBindings(envPath);
  envBindingsByPath.set(envPath, out);
  return out;
}

function readEnvBindings(envPath: string): Map<string, { kind: BindingKind | null; optional: boolean }> {
  const program = ts.createProgram([envPath], {
    noEmit: true,
    allowImportingTsExtensions: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ESNext,
    types: [],
  });
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(envPath);
  const out = new Map<string, { kind: BindingKind | null; optional: boolean }>();
  const env = file?.statements.find(
    (s): s is ts.InterfaceDeclaration => ts.isInterfaceDeclaration(s) && s.name.text === "Env",
  );
  if (!env) return out;
  for (const prop of checker.getPropertiesOfType(checker.getTypeAtLocation(env.name))) {
    const decl = prop.valueDeclaration ?? prop.declarations?.[0];
    if (!decl || !ts.isPropertySignature(decl) || !decl.type) continue;
    const type = decl.type.getText(decl.getSourceFile());
    const kind = KIND_OF_TYPE.find(([re]) => re.test(type))?.[1] ?? null;
    out.set(prop.getName(), { kind, optional: decl.questionToken !== undefined });
  }
  return out;
}

// Every name wrangler.jsonc binds, by kind; vars and required secrets are both text.
export function configBindings(config: DeployConfig): Map<string, BindingKind> {
  const out = new Map<string, BindingKind>();
  for (const b of config.r2_buckets) out.set(b.binding, "r2");
  for (const b of config.queues.producers ?? []) out.set(b.binding, "queue");
  for (const b of config.durable_objects.bindings) out.set(b.name, "durable_object");
  for (const b of config.analytics_engine_datasets ?? []) out.set(b.binding, "analytics_engine");
  if (config.assets?.binding) out.set(config.assets.binding, "assets");
  for (const name of Object.keys(config.vars)) out.set(name, "text");
  for (const name of config.secrets?.required ?? []) out.set(name, "text");
  return out;
}

export function bindingProblems(envPath: string, config: DeployConfig): string[] {
  const env = envBindings(envPath);
  const bound = configBindings(config);
  const problems: string[] = [];
  if (env.size === 0) problems.push("src/workers/env.ts declares no `interface Env`");
  for (const [name, { kind, optional }] of env) {
    if (kind === null) problems.push(`Env.${name}: a type the check does not know as a binding`);
    const has = bound.get(name);
    if (has === undefined && !optional)
      problems.push(`Env.${name} is read by the code but wrangler.jsonc binds nothing`);
    else if (has !== undefined && kind !== null && has !== kind)
      problems.push(`Env.${name} is a ${kind} binding in the code but a ${has} binding in wrangler.jsonc`);
  }
  for (const [name, kind] of bound) {
    if (!env.has(name))
      problems.push(`wrangler.jsonc binds ${name} (${kind}) but Env in src/workers/env.ts lacks it`);
  }
  return problems;
}

// Names the entry module exports (`export { A, B }`, `export class`, `export default`).
export function exportedNames(source: string): Set<string> {
  const file = ts.createSourceFile("main.ts", source, ts.ScriptTarget.Latest, true);
  const names = new Set<string>();
  for (const stmt of file.statements) {
    if (ts.isExportDeclaration(stmt) && stmt.exportClause && ts.isNamedExports(stmt.exportClause)) {
      for (const el of stmt.exportClause.elements) names.add(el.name.text);
    } else if (ts.isExportAssignment(stmt)) names.add("default");
    else if (
      (ts.isClassDeclaration(stmt) || ts.isFunctionDeclaration(stmt)) &&
      stmt.name &&
      stmt.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
    )
      names.add(stmt.name.text);
  }
  return names;
}

// Each Durable Object class is exported by the entry and created by a migration (else deploy fails, or
// worse, a renamed class silently starts empty).
// The handlers on the entry's default export (`export default { fetch, queue, scheduled } satisfies ...`).
export function defaultHandlers(source: string): Set<string> {
  const file = ts.createSourceFile("main.ts", source, ts.ScriptTarget.Latest, true);
  const names = new Set<string>();
  for (const stmt of file.statements) {
    if (!ts.isExportAssignment(stmt)) continue;
    let expr: ts.Expression = stmt.expression;
    while (ts.isSatisfiesExpression(expr) || ts.isAsExpression(expr) || ts.isParenthesizedExpression(expr))
      expr = expr.expression;
    if (!ts.isObjectLiteralExpression(expr)) continue;
    for (const prop of expr.properties)
      if (prop.name && (ts.isIdentifier(prop.name) || ts.isStringLiteral(prop.name)))
        names.add(prop.name.text);
  }
  return names;
}

// A trigger without its handler fails every event it sends; a handler without its trigger never runs (a
// scheduled reconciler with no cron would leave jobs a Dispatcher shard lost unqueued, silently).
export function handlerProblems(config: DeployConfig, handlers: Set<string>): string[] {
  const problems: string[] = [];
  const pairs: Array<[string, boolean, string]> = [
    ["scheduled", (config.triggers?.crons?.length ?? 0) > 0, "triggers.crons"],
    ["queue", (config.queues.consumers?.length ?? 0) > 0, "queues.consumers"],
  ];
  for (const [handler, triggered, setting] of pairs) {
    if (triggered && !handlers.has(handler))
      problems.push(
        `wrangler.jsonc sets ${setting} but the entry's default export has no ${handler} handler`,
      );
    if (!triggered && handlers.has(handler))
      problems.push(
        `the entry's default export has a ${handler} handler but wrangler.jsonc sets no ${setting}`,
      );
  }
  if (!handlers.has("fetch")) problems.push("the entry's default export has no fetch handler");
  return problems;
}

export function durableObjectProblems(config: DeployConfig, entryExports: Set<string>): string[] {
  const migrated = new Set(
    config.migrations.flatMap((m) => [...(m.new_sqlite_classes ?? []), ...(m.new_classes ?? [])]),
  );
  const problems: string[] = [];
  for (const b of config.durable_objects.bindings) {
    if (b.script_name) continue;
    if (!entryExports.has(b.class_name))
      problems.push(`Durable Object class ${b.class_name} (${b.name}) is not exported by the entry`);
    if (!migrated.has(b.class_name))
      problems.push(`Durable Object class ${b.class_name} (${b.name}) has no migration creating it`);
  }
  return problems;
}

// No token, and no value of a development token, in what would be deployed: vars are plain text in the
// dashboard and in every `wrangler deploy`, so a token there is public; a development token's hash there
// (or in the bundle) lets anyone who read the README act as a trusted agent.
export function devValueProblems(
  config: DeployConfig,
  bundle: string,
  devValues: Map<string, string>,
): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(config.vars)) {
    if (/TOKEN/i.test(name))
      problems.push(`vars.${name}: a token belongs in a secret (wrangler secret put ${name})`);
    const text = typeof value === "string" ? value : JSON.stringify(value);
    for (const [what, dev] of devValues) {
      if (text.toLowerCase().includes(dev.toLowerCase())) problems.push(`vars.${name} holds ${what}`);
    }
  }
  for (const [what, dev] of devValues) {
    if (bundle.toLowerCase().includes(dev.toLowerCase())) problems.push(`the bundle holds ${what}`);
  }
  return problems;
}

export function sizeProblems(gzipBytes: number, limit = WORKER_GZIP_LIMIT_BYTES): string[] {
  return gzipBytes <= limit
    ? []
    : [`the bundle is ${gzipBytes} bytes gzipped, over Workers' ${limit} byte limit (Free plan)`];
}
