import type { Redis } from "ioredis";

interface Waiter {
  streams: string[];
  resolve: () => void;
  timer: ReturnType<typeof setTimeout>;
  onAbort: () => void;
  signal: AbortSignal | undefined;
}

// Waiting leases share one blocking connection per API process (docs/architecture.md, "Waiting agents on
// Redis"): a loop XREADs every watched stream from the last entry it saw and wakes the local leases waiting
// on a stream that got entries; they then take an entry with the non-blocking take script, and a lease that
// loses the race waits again. 10,000 waiting agents cost this connection and the command connection.
export class EntryWatch {
  readonly #redis: Redis;
  readonly #conn: Redis;
  readonly #last = new Map<string, string>();
  // Per stream, how many batches of entries the loop has seen: a lease marks it before it looks, and one
  // that arrived in between wakes the lease at once.
  readonly #seen = new Map<string, number>();
  readonly #waiters = new Set<Waiter>();
  #clientId: number | null = null;
  #looping = false;
  #closed = false;

  constructor(redis: Redis) {
    this.#redis = redis;
    this.#conn = redis.duplicate({ maxRetriesPerRequest: null, autoResendUnfulfilledCommands: false });
    this.#conn.on("error", () => {});
    this.#conn.on("ready", () => {
      this.#clientId = null;
    });
  }

  // Before a lease looks at its streams: they are watched from their current end on, and the mark says what
  // the loop had seen of them.
  async watch(streams: string[]): Promise<number> {
    const fresh = streams.filter((s) => !this.#last.has(s));
    for (const stream of fresh) {
      const newest = (await this.#redis.xrevrange(stream, "+", "-", "COUNT", 1)) as [string, string[]][];
      if (!this.#last.has(stream)) this.#last.set(stream, newest[0]?.[0] ?? "0-0");
    }
    if (fresh.length > 0) await this.#restart();
    return this.#mark(streams);
  }

  // Resolves when one of `streams` got entries since `mark`, after `blockMs`, on abort, or on close.
  wait(streams: string[], mark: number, blockMs: number, signal?: AbortSignal): Promise<void> {
    if (this.#closed || signal?.aborted || this.#mark(streams) !== mark) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter: Waiter = {
        streams,
        resolve: () => {
          clearTimeout(waiter.timer);
          signal?.removeEventListener("abort", waiter.onAbort);
          this.#waiters.delete(waiter);
          resolve();
        },
        timer: setTimeout(() => waiter.resolve(), Math.max(1, blockMs)),
        onAbort: () => waiter.resolve(),
        signal,
      };
      signal?.addEventListener("abort", waiter.onAbort, { once: true });
      this.#waiters.add(waiter);
    });
  }

  get waiting(): number {
    return this.#waiters.size;
  }

  // Ends every wait (shutting down); later waits return at once.
  close(): void {
    this.#closed = true;
    for (const waiter of [...this.#waiters]) waiter.resolve();
    this.#conn.disconnect();
  }

  #mark(streams: string[]): number {
    return streams.reduce((n, s) => n + (this.#seen.get(s) ?? 0), 0);
  }

  // A stream joined the watch: the XREAD in flight is ended (CLIENT UNBLOCK) so the next one includes it.
  async #restart(): Promise<void> {
    if (!this.#looping) {
      this.#looping = true;
      void this.#loop();
      return;
    }
    if (this.#clientId !== null) await this.#redis.client("UNBLOCK", this.#clientId).catch(() => {});
  }

  async #loop(): Promise<void> {
    while (!this.#closed) {
      try {
        this.#clientId ??= (await this.#conn.client("ID")) as number;
        const streams = [...this.#last.keys()];
        const reply = (await this.#conn.xread(
          "COUNT",
          100,
          "BLOCK",
          5_000,
          "STREAMS",
          ...streams,
          ...streams.map((s) => this.#last.get(s) as string),
        )) as [string, [string, string[]][]][] | null;
        for (const [stream, entries] of reply ?? []) {
          const newest = entries.at(-1)?.[0];
          if (newest) this.#last.set(stream, newest);
          this.#seen.set(stream, (this.#seen.get(stream) ?? 0) + 1);
          this.#wake(stream, entries.length);
        }
      } catch {
        if (this.#closed) return;
        this.#clientId = null;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  // Up to `count` leases waiting on `stream`, oldest first: one entry each.
  #wake(stream: string, count: number): void {
    let left = count;
    for (const waiter of this.#waiters) {
      if (left <= 0) break;
      if (!waiter.streams.includes(stream)) continue;
      waiter.resolve();
      left--;
    }
  }
}
