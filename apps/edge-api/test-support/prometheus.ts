import type { Target } from "./target.ts";

// Samples of a Prometheus text exposition, keyed `name{label="v",...}` with labels sorted by name.
export function parseExposition(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels = [...(m[3] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)]
      .map(([, k, v]) => `${k}="${v}"`)
      .sort();
    out.set(`${m[1]}${labels.length ? `{${labels.join(",")}}` : ""}`, Number(m[4]));
  }
  return out;
}

export function series(name: string, labels: Record<string, string>): string {
  const parts = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort();
  return `${name}${parts.length ? `{${parts.join(",")}}` : ""}`;
}

export async function scrape(
  target: Target,
): Promise<{ status: number; text: string; samples: Map<string, number> }> {
  const res = await target.fetch("/metrics", {
    headers: { authorization: `Bearer ${target.operatorToken}` },
  });
  const text = await res.text();
  return { status: res.status, text, samples: res.status === 200 ? parseExposition(text) : new Map() };
}

// Metrics are recorded after the answer (Workers: waitUntil): scrape until `done` holds, a bounded number of times.
export async function scrapeUntil(
  target: Target,
  done: (samples: Map<string, number>) => boolean,
): Promise<Map<string, number>> {
  let last = new Map<string, number>();
  for (let i = 0; i < 100; i++) {
    last = (await scrape(target)).samples;
    if (done(last)) return last;
    await new Promise((r) => setTimeout(r, 20));
  }
  return last;
}
