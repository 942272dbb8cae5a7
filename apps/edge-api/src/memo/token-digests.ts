// The sha256 of agent tokens that lately matched a configured hash, kept per isolate (Workers) or process (Node),
// so an agent's every call does not hash its token again (a Web Crypto digest per lease and per completion).
// A token is looked up by comparing it in full with every one kept, as constantTimeFind compares hashes, so
// the time taken says nothing about which bytes matched. Only tokens that matched are kept (unknown ones cannot
// push a fleet's token out), and the digest is kept, not the decision: a token removed from the configuration
// is refused at its next call.
export class TokenDigests {
  readonly #kept: { token: string; hash: string }[] = [];
  readonly #max: number;

  constructor(max = 32) {
    this.#max = max;
  }

  // The digest of `token` if it is kept, else null.
  find(token: string): string | null {
    let found: string | null = null;
    for (const entry of this.#kept) {
      const kept = entry.token;
      let diff = kept.length ^ token.length;
      for (let i = 0; i < token.length; i++) diff |= token.charCodeAt(i) ^ (kept.charCodeAt(i) | 0);
      if (diff === 0) found = entry.hash;
    }
    return found;
  }

  // Keeps a token that matched; the one kept longest goes first when full.
  keep(token: string, hash: string): void {
    if (this.#kept.length >= this.#max) this.#kept.shift();
    this.#kept.push({ token, hash });
  }
}
