import type { LeaseHolder, LeaseRequest, LeaseResponse } from "@qmk-edge/schema";
import { type Outcome, ok } from "./outcome.ts";

// A lease request and the token that sent it.
export interface LeaseAsk {
  request: LeaseRequest;
  holder: LeaseHolder;
}

interface Waiter {
  ask: LeaseAsk;
  resolve: (outcome: Outcome<LeaseResponse | null>) => void;
  timer: ReturnType<typeof setTimeout>;
}

// Agents long-polling the Dispatcher Durable Object for a job, oldest poll first.
export class LeaseWaiters {
  readonly #waiters: Waiter[] = [];

  // Resolves with the lease `wake` hands this request, or with null after waitMs.
  wait(ask: LeaseAsk, waitMs: number): Promise<Outcome<LeaseResponse | null>> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        ask,
        resolve,
        timer: setTimeout(() => {
          this.#drop(waiter);
          resolve(ok(null));
        }, waitMs),
      };
      this.#waiters.push(waiter);
    });
  }

  // `serve` claims a job for a request synchronously (null when there is none) and settles the claim.
  wake(serve: (ask: LeaseAsk) => Promise<Outcome<LeaseResponse | null>> | null): void {
    for (const waiter of [...this.#waiters]) {
      const served = serve(waiter.ask);
      if (!served) continue;
      clearTimeout(waiter.timer);
      this.#drop(waiter);
      served.then(waiter.resolve);
    }
  }

  // Answers null now to every waiting request `abandoned` picks (an agent that disconnected).
  end(abandoned: (ask: LeaseAsk) => boolean): void {
    for (const waiter of [...this.#waiters]) {
      if (!abandoned(waiter.ask)) continue;
      clearTimeout(waiter.timer);
      this.#drop(waiter);
      waiter.resolve(ok(null));
    }
  }

  #drop(waiter: Waiter): void {
    const i = this.#waiters.indexOf(waiter);
    if (i >= 0) this.#waiters.splice(i, 1);
  }
}
