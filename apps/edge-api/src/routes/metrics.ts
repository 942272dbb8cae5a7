import type { Route } from "../http/route.ts";
import { readGauges } from "../metrics/gauges.ts";

// GET /metrics: Prometheus text for the operator (Authorization: Bearer <operator token>; app.ts guards it).
// Counters and histograms from the runtime's MetricsStore, gauges read now. Same names on both runtimes.
export const metricsScrape: Route = {
  method: "GET",
  path: "/metrics",
  handler: async (c) => {
    const deps = c.get("deps");
    const text = await deps.metrics.exposition(await readGauges(deps));
    return c.body(text, 200, {
      "content-type": "text/plain; version=0.0.4; charset=utf-8",
      "cache-control": "no-store",
    });
  },
};
