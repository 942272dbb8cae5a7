import { type AgentTrust, type CacheEntry, cacheEntry } from "@qmk-edge/schema";

// What a finished avr build's record and cache entry say of it.
export const BUILD_RESULT = {
  returncode: 0,
  output: "",
  command: "make",
  firmware_filename: "f.hex",
  toolchain: "avr" as const,
  timings: {},
};

// A build-cache entry as a finished build leaves it, for tests and benches: one firmware artifact of digest
// `sha`, built by job 111…1, produced by each of `tokens` (with `trust`).
export function cacheEntryOf(args: {
  contentKey: string;
  tokens: string[];
  trust?: AgentTrust;
  sha?: string;
  at?: string;
}): CacheEntry {
  const sha = args.sha ?? "d".repeat(64);
  const at = args.at ?? "2026-12-07T08:00:00.000Z";
  const ref = { key: `artifacts/${sha}`, sha256: sha, size: 1, filename: "f.hex", content_type: "x" };
  return cacheEntry.parse({
    content_key: args.contentKey,
    job_id: "1".repeat(32),
    firmware_version: "demo-1",
    artifacts: { firmware: ref },
    result: BUILD_RESULT,
    created_at: at,
    producers: args.tokens.map((token) => ({
      agent_id: `${token}-agent`,
      token_id: token,
      trust: args.trust ?? "trusted",
      job_id: "1".repeat(32),
      firmware_sha256: sha,
      at,
    })),
  });
}
