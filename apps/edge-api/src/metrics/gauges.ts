// The gauges of a scrape, read now: the dispatcher's queue, the agents seen, the cache hit ratio from the
// counters, the catalogue's age and size, the build health's age and results.
import { cataloguePointer } from "@qmk-edge/schema";
import { readCurrentCatalogue } from "../catalogue/current-catalogue.ts";
import { pointerKey } from "../catalogue/store-keys.ts";
import type { Deps } from "../deps.ts";
import type { GaugeSample } from "../ports/metrics.ts";
import { COUNTERS } from "./definitions.ts";

export async function readGauges(deps: Deps): Promise<GaugeSample[]> {
  const { config, dispatcher, metrics } = deps;
  const now = deps.now();
  const version = config.firmwareVersion;
  const v = { firmware_version: version };
  const [stats, agents, counters, pointer, catalogue, health] = await Promise.all([
    dispatcher.stats(config.agentWindowSeconds, version),
    metrics.agents(now, config.agentWindowSeconds),
    metrics.counters(),
    readPointer(deps, version),
    readCurrentCatalogue(deps.blobs, version),
    deps.buildHealth.summary(version),
  ]);
  const oldest =
    stats.oldestQueuedAt === null
      ? 0
      : Math.max(0, (now.getTime() - Date.parse(stats.oldestQueuedAt)) / 1000);
  const out: GaugeSample[] = [
    { gauge: "queueDepth", labels: v, value: stats.queued },
    { gauge: "queueOldestAge", labels: v, value: oldest },
    { gauge: "jobsRunning", labels: v, value: stats.running },
  ];
  const perLane = new Map<string, number>();
  for (const a of agents) {
    for (const t of a.toolchains) {
      const key = JSON.stringify([a.firmwareVersion, t]);
      perLane.set(key, (perLane.get(key) ?? 0) + 1);
    }
  }
  for (const [key, n] of perLane) {
    const [firmware_version, toolchain] = JSON.parse(key) as [string, string];
    out.push({ gauge: "agentsConnected", labels: { firmware_version, toolchain }, value: n });
  }
  const lookups = counters.filter(
    (c) => c.name === COUNTERS.buildCacheLookups.name && c.labels.firmware_version === version,
  );
  const hits = lookups.filter((c) => c.labels.result === "hit").reduce((s, c) => s + c.value, 0);
  const all = lookups.reduce((s, c) => s + c.value, 0);
  out.push({ gauge: "buildCacheHitRatio", labels: v, value: all === 0 ? Number.NaN : hits / all });
  if (pointer) {
    out.push({
      gauge: "catalogueAge",
      labels: v,
      value: Math.max(0, (now.getTime() - Date.parse(pointer.published_at)) / 1000),
    });
  }
  if (catalogue) out.push({ gauge: "catalogueKeyboards", labels: v, value: catalogue.keyboards.size });
  const tested = [...health.values()];
  if (tested.length > 0) {
    const last = Math.max(...tested.map((e) => e.last_tested));
    out.push({ gauge: "buildHealthAge", labels: v, value: Math.max(0, now.getTime() / 1000 - last) });
  }
  const works = tested.filter((e) => e.works).length;
  const untested = catalogue ? [...catalogue.keyboards.keys()].filter((kb) => !health.has(kb)).length : 0;
  for (const [state, n] of [
    ["true", works],
    ["false", tested.length - works],
    ["untested", untested],
  ] as const)
    out.push({ gauge: "buildHealthKeyboards", labels: { ...v, works: state }, value: n });
  return out;
}

async function readPointer(deps: Deps, version: string) {
  const blob = await deps.blobs.get(pointerKey(version));
  if (!blob) return null;
  const parsed = cataloguePointer.safeParse(JSON.parse(await new Response(blob.body).text()));
  return parsed.success ? parsed.data : null;
}
