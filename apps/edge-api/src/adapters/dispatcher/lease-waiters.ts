import type { LeaseRequest, LeaseResponse } from "@qmk-edge/schema";
import { type Outcome, ok } from "./outcome.ts";

interface Waiter {
  request: LeaseRequest;
  resolve: (outcome: Outcome<LeaseResponse | null>) => void;
  timer: ReturnType<typeof setTimeout>;
}

// Agents long-polling the Dispatcher Durable Object for a job, oldest poll first.
export class LeaseWaiters {
  readonly #waiters: Waiter[] = [];

  // Resolves with the lease `wake` hands this request, or with null after waitMs.
  wait(request: LeaseRequest, waitMs: number): Promise<Outcome<LeaseResponse | null>> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        request,
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
  wake(serve: (request: LeaseRequest) => Promise<Outcome<LeaseResponse | null>> | null): void {
    for (const waiter of [...this.#waiters]) {
      const served = serve(waiter.request);
      if (!served) continue;
      clearTimeout(waiter.timer);
      this.#drop(waiter);
      served.then(waiter.resolve);
    }
  }

  #drop(waiter: Waiter): void {
    const i = this.#waiters.indexOf(waiter);
    if (i >= 0) this.#waiters.splice(i, 1);
  }
}
