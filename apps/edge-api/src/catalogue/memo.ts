// A small in-isolate cache of parsed catalogue data keyed by sha256. Keys are content addresses, so an entry
// can never go stale and sharing it between requests (and between stores) is safe; the oldest entry goes
// once the map is full.
export class DigestMemo<T> {
  readonly #entries = new Map<string, T>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  async get(sha256: string, load: () => Promise<T>): Promise<T> {
    const hit = this.#entries.get(sha256);
    if (hit !== undefined) {
      this.#entries.delete(sha256);
      this.#entries.set(sha256, hit);
      return hit;
    }
    const value = await load();
    this.#entries.set(sha256, value);
    if (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value as string);
    return value;
  }
}
