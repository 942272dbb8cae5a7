// API benchmarks against the edge API in workerd: build-cache hits and status reads under 200 clients.
// Baseline measured in the same run: GET /v1 (the cheapest route), so ratios show what each route adds.
import { getStatus, submit, waitForEnd } from "@qmk-edge/test/support/compile-client.ts";
import { round, summarize, timed } from "./stats.ts";

const request = (i: number) => ({
  keyboard: "handwired/edge_pad",
  keymap: `bench_${i}`,
  layout: "LAYOUT_ortho_4x4",
  layers: [Array.from({ length: 16 }, (_, k) => (k === i % 16 ? "KC_B" : "KC_A"))],
});

async function closedLoop(url: () => string, clients: number, seconds: number) {
  const samples: number[] = [];
  let errors = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        const [res, ms] = await timed(async () => {
          const r = await fetch(url()).catch(() => null);
          await r?.arrayBuffer();
          return r?.status ?? 0;
        });
        samples.push(ms);
        if (res !== 200) errors++;
      }
    }),
  );
  return { ...summarize(samples), requests_per_s: round(samples.length / seconds, 1), errors };
}

export async function benchApi(api: string, opts: { cacheHits: number; clients: number; seconds: number }) {
  // Warm the cache: one real build that every later identical request hits.
  const built = await waitForEnd(api, await submit(api, request(0)), 180_000);
  if (built.status !== "finished") throw new Error(`warm-up build ${built.id} ${built.status}`);

  const hit: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < opts.cacheHits; i++) {
    const [, b] = await timed(() => fetch(`${api}/v1`).then((r) => r.arrayBuffer()));
    baseline.push(b);
    // Submit an identical request and read it back until finished: what a client sees as "compile time".
    const [, ms] = await timed(async () => {
      const id = await submit(api, request(0));
      for (;;) if ((await getStatus(api, id)).status === "finished") return;
    });
    hit.push(ms);
  }
  const cacheHit = summarize(hit);
  const base = summarize(baseline);

  const ids = [built.id];
  const status = await closedLoop(() => `${api}/v1/compile/${ids[0]}`, opts.clients, opts.seconds);
  const health = await closedLoop(() => `${api}/v1`, opts.clients, Math.max(2, opts.seconds / 2));
  return {
    cache_hit: {
      ...cacheHit,
      baseline_get_v1: base,
      ratio_p50_vs_get_v1: round(cacheHit.p50_ms / base.p50_ms),
    },
    status_reads: {
      clients: opts.clients,
      seconds: opts.seconds,
      ...status,
      ratio_rps_vs_get_v1: round(status.requests_per_s / health.requests_per_s),
    },
    get_v1_under_load: { clients: opts.clients, ...health },
  };
}
