// The bytes a whole read of a small object last found to be its key's own (fs-publish-sync.ts
// readSmallFileText), and the text it gave, per file path. What such a read returns depends only on the bytes
// it read and its key, so a read that finds the very same bytes again gives the same text without parsing
// the header twice and hashing the body again: a queued job's status poll reads a record nobody changed.
// Bytes are compared, never sizes or times: a file rewritten by another process, an agent's write or a reused
// inode (fs-spare-inodes.ts) within the clock's granularity reads as what it now holds.
export class VerifiedReads {
  readonly #kept = new Map<string, { key: string; bytes: Buffer; text: string }>();
  readonly #max: number;
  // Reads answered from what was kept (for tests).
  hits = 0;

  constructor(max = 1_024) {
    this.#max = max;
  }

  // The text kept for these exact bytes of `key` at `path`, else null.
  textOf(path: string, key: string, bytes: Buffer): string | null {
    const kept = this.#kept.get(path);
    if (!kept || kept.key !== key || !kept.bytes.equals(bytes)) return null;
    this.hits++;
    return kept.text;
  }

  // `bytes` must not be written to afterwards (a copy of a reused read buffer).
  keep(path: string, key: string, bytes: Buffer, text: string): void {
    this.#kept.delete(path);
    if (this.#kept.size >= this.#max) {
      const oldest = this.#kept.keys().next().value;
      if (oldest !== undefined) this.#kept.delete(oldest);
    }
    this.#kept.set(path, { key, bytes, text });
  }
}
