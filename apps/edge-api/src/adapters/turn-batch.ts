// What the calls of one event-loop turn asked, gathered by key and handed over together at the turn's end
// (setImmediate), at most `maxKeys` keys at a time: the Redis adapters send one command and read one reply
// for a turn's requests (adapters/rate-limiter/redis.ts, adapters/dispatcher/redis/queue-positions.ts), where
// each request was its own command, socket write and reply. A key asked more than once in a turn is handed
// over once, with its waiters in the order they asked.
export class TurnBatch<W> {
  readonly #send: (batch: [string, W[]][]) => Promise<void>;
  readonly #maxKeys: number;
  #pending = new Map<string, W[]>();
  #scheduled = false;

  // `send` answers every waiter of its batch, and never rejects.
  constructor(send: (batch: [string, W[]][]) => Promise<void>, maxKeys: number) {
    this.#send = send;
    this.#maxKeys = maxKeys;
  }

  add(key: string, waiter: W): void {
    const waiters = this.#pending.get(key);
    if (waiters) waiters.push(waiter);
    else this.#pending.set(key, [waiter]);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#flush());
    }
  }

  #flush(): void {
    const batch = [...this.#pending];
    this.#pending = new Map();
    this.#scheduled = false;
    for (let i = 0; i < batch.length; i += this.#maxKeys) {
      void this.#send(batch.slice(i, i + this.#maxKeys));
    }
  }
}
