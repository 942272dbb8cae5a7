// What `wrangler dev` alone reads: .dev.vars beside wrangler.jsonc (gitignored, never deployed). The documented
// local tokens live here and nowhere in wrangler.jsonc, so a deploy cannot carry them.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

export const LOCAL_AGENT_TOKEN = "qmk-edge-local-agent-token";
export const LOCAL_OPERATOR_TOKEN = "qmk-edge-local-operator-token";

export const sha256Hex = (text: string) => createHash("sha256").update(text).digest("hex");

// The local values of the required secrets (wrangler.jsonc `secrets.required`).
export const LOCAL_SECRETS: Record<string, string> = {
  AGENT_TOKEN_HASHES: sha256Hex(LOCAL_AGENT_TOKEN),
  OPERATOR_TOKEN_HASHES: sha256Hex(LOCAL_OPERATOR_TOKEN),
};

const HEADER = `# Local values for \`wrangler dev\` only (scripts/dev.ts wrote this; edit freely, it is gitignored and never
# deployed). Any var of wrangler.jsonc may be overridden here, one NAME=value per line, e.g.
#   FIRMWARE_VERSION=demo-1        the tree your local agent builds (firmware/demo-tree/VERSION)
#   LEASE_SECONDS=60  MAX_ATTEMPTS=3  AGENT_WINDOW_SECONDS=120  RATE_LIMIT_PER_MINUTE=60
#   PUBLIC_BASE_URL=               empty: links use the loopback origin of the request
#   BUILD_HEALTH=on                off: no default-keymap builds; BUILD_HEALTH_MAX_PER_HOUR=<n> limits them
# Tokens: the local agent token is ${LOCAL_AGENT_TOKEN}, the local operator token
# ${LOCAL_OPERATOR_TOKEN} (GET /metrics, POST /v1/operator/*). Hashes: printf %s "$TOKEN" | sha256sum
`;

// Writes .dev.vars when absent; adds a missing required secret to an existing one (an older file held only
// FIRMWARE_VERSION), leaving every line already there as it was. Returns the names it added.
export function ensureDevVars(path: string): string[] {
  const existing = existsSync(path) ? readFileSync(path, "utf8") : null;
  const present = new Set(
    (existing ?? "")
      .split("\n")
      .map((line) => /^\s*([A-Z0-9_]+)\s*=/.exec(line)?.[1])
      .filter((name): name is string => name !== undefined),
  );
  const missing = Object.entries(LOCAL_SECRETS).filter(([name]) => !present.has(name));
  if (missing.length === 0) return [];
  const lines = missing.map(([name, value]) => `${name}=${value}`).join("\n");
  const text =
    existing === null
      ? `${HEADER}${lines}\n`
      : `${existing}${existing.endsWith("\n") || existing === "" ? "" : "\n"}${lines}\n`;
  writeFileSync(path, text, { mode: 0o600 });
  return missing.map(([name]) => name);
}
