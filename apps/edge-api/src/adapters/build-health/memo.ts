import type { BuildHealthEntry } from "@qmk-edge/schema";
import { ExpiringMemo } from "../../memo/bounded-memo.ts";
import type { BuildHealthStore, HealthSummary } from "../../ports/build-health.ts";

// Every new-job POST asks whether its keyboard's default keymap builds (the build-health note): a store
// call per POST for an answer that changes at most once per retest. The answer (none too) is kept this
// long, so a report made through another process or isolate shows within it; through this one at once.
export const BUILD_HEALTH_MEMO_MS = 5_000;

// One per process (Node) or isolate (Workers), beside its stores, so it outlives a request.
export function buildHealthMemo(now?: () => number): ExpiringMemo<BuildHealthEntry | null> {
  return new ExpiringMemo<BuildHealthEntry | null>(10_000, BUILD_HEALTH_MEMO_MS, now);
}

// A BuildHealthStore whose `entry` reads through the memo; everything else goes to the store as it is.
export class MemoisedBuildHealthStore implements BuildHealthStore {
  readonly #store: BuildHealthStore;
  readonly #memo: ExpiringMemo<BuildHealthEntry | null>;

  constructor(store: BuildHealthStore, memo: ExpiringMemo<BuildHealthEntry | null>) {
    this.#store = store;
    this.#memo = memo;
  }

  async entry(firmwareVersion: string, keyboard: string): Promise<BuildHealthEntry | null> {
    const key = memoKey(firmwareVersion, keyboard);
    const known = this.#memo.lookup(key);
    if (known.found) return known.value;
    const entry = await this.#store.entry(firmwareVersion, keyboard);
    this.#memo.set(key, entry);
    return entry;
  }

  async report(firmwareVersion: string, keyboard: string, entry: BuildHealthEntry): Promise<void> {
    await this.#store.report(firmwareVersion, keyboard, entry);
    // The next lookup here reads the report (one already reading the store may keep the old answer for the
    // memo's time, as another process would).
    this.#memo.delete(memoKey(firmwareVersion, keyboard));
  }

  summary(firmwareVersion: string): Promise<HealthSummary> {
    return this.#store.summary(firmwareVersion);
  }

  entries(firmwareVersion: string): Promise<Map<string, BuildHealthEntry>> {
    return this.#store.entries(firmwareVersion);
  }

  claim(...args: Parameters<BuildHealthStore["claim"]>): Promise<string | null> {
    return this.#store.claim(...args);
  }
}

// Versions and keyboard names are grammar-checked and hold no newline.
const memoKey = (firmwareVersion: string, keyboard: string) => `${firmwareVersion}\n${keyboard}`;
