import type { Redis } from "ioredis";
import type { ConsumerGroups } from "./consumer-groups.ts";
import { GROUP } from "./keys.ts";
import { dropEntry, type StreamEntry, toEntry } from "./stream-entry.ts";

// XREADGROUP BLOCK ties up its connection, so each waiting lease borrows one from this pool; an abort
// disconnects it.
export class BlockingReader {
  readonly #redis: Redis;
  readonly #groups: ConsumerGroups;
  readonly #poolSize: number;
  readonly #idle: Redis[] = [];
  readonly #busy = new Set<Redis>();
  #closed = false;

  // Keeps up to `poolSize` idle connections; more are opened on demand and closed after use.
  constructor(redis: Redis, groups: ConsumerGroups, poolSize: number) {
    this.#redis = redis;
    this.#groups = groups;
    this.#poolSize = poolSize;
  }

  async read(
    streams: string[],
    consumer: string,
    blockMs: number,
    signal?: AbortSignal,
  ): Promise<StreamEntry[]> {
    const conn = this.#borrow();
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      conn.disconnect();
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    let healthy = false;
    try {
      const reply = (await conn.xreadgroup(
        "GROUP",
        GROUP,
        consumer,
        "COUNT",
        1,
        "BLOCK",
        Math.max(1, Math.floor(blockMs)),
        "STREAMS",
        ...streams,
        ...streams.map(() => ">"),
      )) as [string, [string, string[]][]][] | null;
      healthy = true;
      const entries: StreamEntry[] = [];
      for (const [stream, items] of reply ?? []) {
        for (const [id, fields] of items) {
          const entry = toEntry(stream, id, fields);
          if (entry) entries.push(entry);
          else await dropEntry(this.#redis, { stream, id });
        }
      }
      return entries;
    } catch (err) {
      if (aborted || this.#closed) return [];
      if (err instanceof Error && /NOGROUP/.test(err.message)) {
        this.#groups.forget(streams);
        return [];
      }
      throw err;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      this.#giveBack(conn, healthy && !aborted);
    }
  }

  // Ends every read in progress and keeps no idle connections; reads started later still work.
  close(): void {
    this.#closed = true;
    for (const conn of [...this.#idle, ...this.#busy]) conn.disconnect();
    this.#idle.length = 0;
    this.#busy.clear();
  }

  #borrow(): Redis {
    const conn =
      this.#idle.pop() ??
      this.#redis.duplicate({ maxRetriesPerRequest: 1, autoResendUnfulfilledCommands: false });
    conn.on("error", () => {});
    this.#busy.add(conn);
    return conn;
  }

  #giveBack(conn: Redis, reusable: boolean): void {
    this.#busy.delete(conn);
    conn.removeAllListeners("error");
    if (reusable && !this.#closed && this.#idle.length < this.#poolSize) this.#idle.push(conn);
    else conn.disconnect();
  }
}
