import type { BuildHealthEntry } from "@qmk-edge/schema";
import { R2BlobStore } from "../adapters/blob-store/r2.ts";
import { buildHealthMemo } from "../adapters/build-health/memo.ts";
import { BlobJobStore, CACHE_MEMO_MS } from "../adapters/job-store/blob.ts";
import { MetricsBatch } from "../adapters/metrics/durable-object/client.ts";
import { presenceMemo } from "../adapters/metrics/presence.ts";
import type { ExpiringMemo } from "../memo/bounded-memo.ts";
import { TokenDigests } from "../memo/token-digests.ts";
import type { Env } from "./env.ts";

// The stores a Worker isolate builds once per env object and shares between its requests, so their memos
// (settled job records, build-cache entries, and the catalogue pointer, memoised per BlobStore) outlive a
// request, the agents whose presence it sent to the metrics object lately, the metric events waiting to be sent,
// the build-health answers it read lately, and the agent tokens' digests. Only these: a Durable Object stub that once failed stays failed, so the Durable Object clients
// are made per request (making a stub costs no call).
export interface IsolateStores {
  blobs: R2BlobStore;
  jobs: BlobJobStore;
  sentPresence: ExpiringMemo<string>;
  // Metric events waiting for the isolate's next call to the MetricsObject.
  metricsBatch: MetricsBatch;
  buildHealthMemo: ExpiringMemo<BuildHealthEntry | null>;
  agentTokenDigests: TokenDigests;
}

const built = new WeakMap<Env, IsolateStores>();

export function isolateStores(env: Env): IsolateStores {
  const known = built.get(env);
  if (known) return known;
  const blobs = new R2BlobStore(env.BUCKET);
  // Other isolates may change a settled record (an operator's purge marks it): shown within the cache memo's time.
  const stores = {
    blobs,
    jobs: new BlobJobStore(blobs, { settledMemoMs: CACHE_MEMO_MS }),
    sentPresence: presenceMemo(),
    metricsBatch: new MetricsBatch(),
    buildHealthMemo: buildHealthMemo(),
    agentTokenDigests: new TokenDigests(),
  };
  built.set(env, stores);
  return stores;
}
