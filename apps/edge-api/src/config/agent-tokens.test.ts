import { describe, expect, it } from "vitest";
import { agentTokensFromHashes, parseTokenEntry } from "./agent-tokens.ts";

const hash = "ab".repeat(32);

describe("agent token entries", () => {
  it("are plain (trusted, named after the hash) or <name>:<trust>:<secret>", () => {
    expect(parseTokenEntry(hash)).toEqual({ id: null, trust: "trusted", secret: hash });
    expect(parseTokenEntry(`desk-7:community:${hash}`)).toEqual({
      id: "desk-7",
      trust: "community",
      secret: hash,
    });
    // A token that merely contains colons stays one plain token.
    expect(parseTokenEntry("a:b:c-long-token")).toEqual({
      id: null,
      trust: "trusted",
      secret: "a:b:c-long-token",
    });
    expect(parseTokenEntry("n:trusted:x:y")).toEqual({ id: "n", trust: "trusted", secret: "x:y" });
    expect(agentTokensFromHashes(`${hash.toUpperCase()}, fleet:trusted:${"cd".repeat(32)}`)).toEqual({
      tokens: [
        { hash, id: `token-${hash.slice(0, 12)}`, trust: "trusted" },
        { hash: "cd".repeat(32), id: "fleet", trust: "trusted" },
      ],
      problems: [],
    });
  });

  it("report what is wrong, entry by entry", () => {
    const { tokens, problems } = agentTokensFromHashes(
      `not-a-hash,.x:community:${hash},ok:community:${hash}`,
    );
    expect(tokens).toEqual([{ hash, id: "ok", trust: "community" }]);
    expect(problems).toEqual([
      expect.stringMatching(/^entry 1: sha256 hex digests/),
      expect.stringMatching(/^entry 2: token name "\.x"/),
    ]);
  });
});
