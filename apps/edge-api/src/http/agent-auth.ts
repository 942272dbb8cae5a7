import { ARTIFACT_HEADERS, type LeaseHolder, LIMITS } from "@qmk-edge/schema";
import type { MiddlewareHandler } from "hono";
import type { AgentToken } from "../config/agent-tokens.ts";
import type { AppEnv, Deps } from "../deps.ts";
import { readJsonBody } from "./request-body.ts";
import { ForbiddenError, UnauthorizedError } from "./request-errors.ts";

// Compares every configured hash in full, so the time taken says nothing about which bytes matched.
export function constantTimeFind<T extends { hash: string }>(entries: T[], candidate: string): T | null {
  let found: T | null = null;
  for (const entry of entries) {
    const hash = entry.hash;
    let diff = hash.length ^ candidate.length;
    for (let i = 0; i < candidate.length; i++) diff |= candidate.charCodeAt(i) ^ (hash.charCodeAt(i) | 0);
    if (diff === 0) found = entry;
  }
  return found;
}

export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer[ ]+([\x21-\x7e]{1,512})\s*$/i.exec(header ?? "");
  return match?.[1] ?? null;
}

const JOB_PATH = /^\/v1\/agent\/jobs\/([0-9a-f]{32})\//;
const LEASE_ID = /^[\x21-\x7e]{16,64}$/;

// The lease a refused call names: the upload header, or `lease_id` in a JSON body.
async function namedLease(request: Request): Promise<string | null> {
  const header = request.headers.get(ARTIFACT_HEADERS.leaseId);
  if (header !== null) return LEASE_ID.test(header) ? header : null;
  const body = await readJsonBody(request, LIMITS.bodyBytes).catch(() => null);
  const leaseId = (body as { lease_id?: unknown } | null)?.lease_id;
  return typeof leaseId === "string" && LEASE_ID.test(leaseId) ? leaseId : null;
}

// A revoked token's next call on a lease it holds ends that lease at once (the job goes back to the queue and
// the artifacts it uploaded are dropped) instead of leaving the job stuck until the lease expires. Only a
// caller who knows the lease id can do this, and only to a lease whose token is no longer configured.
async function endRevokedLease(deps: Deps, path: string, request: Request): Promise<void> {
  const jobId = JOB_PATH.exec(path)?.[1];
  if (!jobId) return;
  const leaseId = await namedLease(request);
  if (!leaseId) return;
  const active = deps.config.agentTokens.map((t) => t.id);
  await deps.dispatcher.revokeLease(jobId, leaseId, active).catch((err) => {
    console.warn(`could not end the lease ${leaseId} of job ${jobId} held by a revoked token:`, err);
  });
}

// /v1/agent/*: `Authorization: Bearer <agent token>`; the token's sha256 must be a configured one (a token that
// matched before is not hashed again: memo/token-digests.ts). Sets `agent` (the token's name and trust) for the
// routes, which bind leases to it.
export const requireAgent: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = bearerToken(c.req.header("authorization"));
  if (token === null) throw new UnauthorizedError("missing agent token: send Authorization: Bearer <token>");
  const deps = c.get("deps");
  const kept = deps.agentTokenDigests.find(token);
  const hash = kept ?? (await deps.sha256Hex(token));
  const known: AgentToken | null = constantTimeFind(deps.config.agentTokens, hash);
  if (!known) {
    await endRevokedLease(deps, c.req.path, c.req.raw);
    throw new UnauthorizedError("unknown agent token");
  }
  if (kept === null) deps.agentTokenDigests.keep(token, hash);
  c.set("agent", { token_id: known.id, trust: known.trust });
  await next();
};

// /v1/operator/*: `Authorization: Bearer <operator token>`, a different secret from any agent token.
export const requireOperator: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = bearerToken(c.req.header("authorization"));
  if (token === null)
    throw new UnauthorizedError("missing operator token: send Authorization: Bearer <token>");
  const deps = c.get("deps");
  const hashes = deps.config.operatorTokenHashes.map((hash) => ({ hash }));
  if (hashes.length === 0) throw new UnauthorizedError("no operator token is configured on this API");
  if (!constantTimeFind(hashes, await deps.sha256Hex(token)))
    throw new UnauthorizedError("unknown operator token");
  await next();
};

// What every client of the API sees (the keyboard catalogue) is only written by the operator's own fleet.
export function requireTrustedAgent(holder: LeaseHolder, what: string): void {
  if (holder.trust !== "trusted") {
    throw new ForbiddenError(`${what} needs a trusted agent token; ${holder.token_id} is ${holder.trust}`);
  }
}
