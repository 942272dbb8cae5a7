import { type AgentTrust, agentTrust, tokenId } from "@qmk-edge/schema";

// The agent tokens an operator configures, one entry each, comma-separated:
//   <secret>                     a token of the operator's fleet: trusted, named token-<first 12 hex of its sha256>
//   <name>:<trust>:<secret>      named, with trust `trusted` or `community`
// where <secret> is the sha256 hex of the token (AGENT_TOKEN_HASHES) or, on Node, the token itself
// (AGENT_TOKENS). Only hashes are kept in memory. Removing an entry revokes the token.

export interface AgentToken {
  // Lower-case hex sha256 of the token.
  hash: string;
  // The operator's name for it: in leases, cache entries and POST /v1/operator/agents/:id/purge.
  id: string;
  trust: AgentTrust;
}

export interface TokenEntry {
  id: string | null;
  trust: AgentTrust;
  secret: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

// Splits one entry; a problem is returned as text naming what to fix.
export function parseTokenEntry(entry: string): TokenEntry | string {
  const parts = entry.split(":");
  if (parts.length >= 3 && agentTrust.safeParse(parts[1]).success) {
    const [name, trust] = parts as [string, AgentTrust];
    if (!tokenId.safeParse(name).success) {
      return `token name ${JSON.stringify(name)}: 1 to 64 of [A-Za-z0-9_.-], not starting with . or -`;
    }
    return { id: name, trust, secret: parts.slice(2).join(":") };
  }
  return { id: null, trust: "trusted", secret: entry };
}

export const defaultTokenId = (hash: string) => `token-${hash.slice(0, 12)}`;

// Entries whose secret is already a sha256 hex digest (AGENT_TOKEN_HASHES).
export function agentTokensFromHashes(list: string): { tokens: AgentToken[]; problems: string[] } {
  const tokens: AgentToken[] = [];
  const problems: string[] = [];
  for (const [i, raw] of splitList(list).entries()) {
    const entry = parseTokenEntry(raw);
    if (typeof entry === "string") {
      problems.push(`entry ${i + 1}: ${entry}`);
      continue;
    }
    const hash = entry.secret.toLowerCase();
    if (!SHA256_HEX.test(hash)) {
      problems.push(`entry ${i + 1}: sha256 hex digests, comma-separated (optionally <name>:<trust>:<hash>)`);
      continue;
    }
    tokens.push({ hash, id: entry.id ?? defaultTokenId(hash), trust: entry.trust });
  }
  return { tokens, problems };
}

export function splitList(list: string): string[] {
  return list
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
}

// One name per token: a purge by name must mean one token. The same hash twice is merged.
export function mergeTokens(tokens: AgentToken[]): AgentToken[] {
  const byHash = new Map<string, AgentToken>();
  for (const token of tokens) if (!byHash.has(token.hash)) byHash.set(token.hash, token);
  return [...byHash.values()];
}

export function duplicateNames(tokens: AgentToken[]): string[] {
  const seen = new Map<string, string>();
  const problems: string[] = [];
  for (const token of mergeTokens(tokens)) {
    const other = seen.get(token.id);
    if (other !== undefined && other !== token.hash) problems.push(`token name ${token.id} is used twice`);
    seen.set(token.id, token.hash);
  }
  return problems;
}
