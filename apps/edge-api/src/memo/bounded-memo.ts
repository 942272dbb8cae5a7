// In-process memos the hot routes read through (docs/architecture.md, "What a request costs"). Both are
// bounded (the oldest entry goes first) and only ever hold values the caller says are safe to share.

// Values that never change once settled (finished job records, content-addressed objects): kept until
// pushed out by newer ones or replaced by the owner.
export class BoundedMemo<T> {
  readonly #entries = new Map<string, T>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  get(key: string): T | undefined {
    return this.#entries.get(key);
  }

  set(key: string, value: T): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value as string);
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }
}

// Values another process may replace or delete (a catalogue pointer, a build-cache entry an operator purges):
// served for at most `ttlMs` after they were read, so a change made elsewhere shows within that time; a
// change made through this process replaces or drops its entry at once.
export class ExpiringMemo<T> {
  readonly #entries: BoundedMemo<{ value: T; until: number }>;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(max: number, ttlMs: number, now: () => number = Date.now) {
    this.#entries = new BoundedMemo(max);
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  // `found` false: nothing memoised (or it expired), so the caller reads the store.
  lookup(key: string): { found: true; value: T } | { found: false } {
    const entry = this.#entries.get(key);
    if (!entry) return { found: false };
    if (entry.until <= this.#now()) {
      this.#entries.delete(key);
      return { found: false };
    }
    return { found: true, value: entry.value };
  }

  set(key: string, value: T): void {
    this.#entries.set(key, { value, until: this.#now() + this.#ttlMs });
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }
}
