import type { AgentTrust } from "@qmk-edge/schema";

// The agent tokens both test targets configure (as AGENT_TOKEN_HASHES on Workers, AGENT_TOKENS on Node).
// `local` is the documented local-development token, configured as a plain (unnamed, trusted) entry like
// wrangler.jsonc does; the others are named `<name>:<trust>:<secret>` entries. Tests that revoke a token
// each revoke their own: a revocation lasts for the rest of the test file.

export interface TestToken {
  token: string;
  // null: a plain entry, named token-<first 12 hex of its sha256> by the API.
  name: string | null;
  trust: AgentTrust;
}

export const TEST_AGENT_TOKENS = {
  local: { token: "qmk-edge-local-agent-token", name: null, trust: "trusted" },
  fleet: { token: "qmk-edge-test-fleet-token-b-0001", name: "fleet-b", trust: "trusted" },
  communityA: { token: "qmk-edge-test-community-a-0001", name: "community-a", trust: "community" },
  communityB: { token: "qmk-edge-test-community-b-0001", name: "community-b", trust: "community" },
  communityC: { token: "qmk-edge-test-community-c-0001", name: "community-c", trust: "community" },
  doomedTrusted: { token: "qmk-edge-test-doomed-trusted-0001", name: "doomed-trusted", trust: "trusted" },
  doomedCommunity: {
    token: "qmk-edge-test-doomed-community-01",
    name: "doomed-community",
    trust: "community",
  },
  doomedPurged: { token: "qmk-edge-test-doomed-purged-00001", name: "doomed-purged", trust: "trusted" },
} as const satisfies Record<string, TestToken>;

export type TestTokenName = keyof typeof TEST_AGENT_TOKENS;

export const TEST_OPERATOR_TOKEN = "qmk-edge-test-operator-token-0001";

// The configuration list, each secret given by `secret` (the token itself, or its sha256).
export function tokenEntries(tokens: TestToken[], secret: (token: string) => string): string {
  return tokens
    .map((t) => (t.name === null ? secret(t.token) : `${t.name}:${t.trust}:${secret(t.token)}`))
    .join(",");
}
