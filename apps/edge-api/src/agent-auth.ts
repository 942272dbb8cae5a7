import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./deps.ts";
import { UnauthorizedError } from "./request-errors.ts";
import { sha256Hex } from "./sha256-hex.ts";

// Compares every configured hash in full, so the time taken says nothing about which bytes matched.
function constantTimeIncludes(hashes: string[], candidate: string): boolean {
  let found = 0;
  for (const hash of hashes) {
    let diff = hash.length ^ candidate.length;
    for (let i = 0; i < candidate.length; i++) diff |= candidate.charCodeAt(i) ^ (hash.charCodeAt(i) | 0);
    found |= diff === 0 ? 1 : 0;
  }
  return found === 1;
}

export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer[ ]+([\x21-\x7e]{1,512})\s*$/i.exec(header ?? "");
  return match?.[1] ?? null;
}

// /v1/agent/*: `Authorization: Bearer <agent token>`; the token's sha256 must be one of the configured hashes.
export const requireAgent: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = bearerToken(c.req.header("authorization"));
  if (token === null) throw new UnauthorizedError("missing agent token: send Authorization: Bearer <token>");
  const hash = await sha256Hex(token);
  if (!constantTimeIncludes(c.get("deps").config.agentTokenHashes, hash)) {
    throw new UnauthorizedError("unknown agent token");
  }
  await next();
};
