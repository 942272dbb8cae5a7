// Prometheus text exposition (0.0.4) of the definitions, for a runtime without prom-client (Workers). Each
// defined metric gets its HELP and TYPE lines even without samples, as prom-client writes them.
import type { CounterSample, GaugeSample, Labels } from "../ports/metrics.ts";
import { COUNTERS, GAUGES, HISTOGRAMS } from "./definitions.ts";

export interface HistogramSample {
  name: string;
  labels: Labels;
  // Cumulative count per bucket bound of the definition, in its order.
  buckets: number[];
  sum: number;
  count: number;
}

const escapeHelp = (s: string) => s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
const escapeValue = (s: string) => s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const formatNumber = (n: number) =>
  Number.isNaN(n) ? "NaN" : n === Infinity ? "+Inf" : n === -Infinity ? "-Inf" : String(n);

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeValue(v)}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

export function renderExposition(args: {
  counters: CounterSample[];
  histograms: HistogramSample[];
  gauges: GaugeSample[];
}): string {
  const out: string[] = [];
  const head = (name: string, help: string, type: string) =>
    out.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
  for (const def of Object.values(COUNTERS)) {
    head(def.name, def.help, "counter");
    for (const s of args.counters.filter((c) => c.name === def.name))
      out.push(`${def.name}${labelText(s.labels)} ${formatNumber(s.value)}`);
  }
  for (const def of Object.values(HISTOGRAMS)) {
    head(def.name, def.help, "histogram");
    for (const s of args.histograms.filter((h) => h.name === def.name)) {
      for (const [i, le] of def.buckets.entries())
        out.push(`${def.name}_bucket${labelText({ ...s.labels, le: String(le) })} ${s.buckets[i] ?? 0}`);
      out.push(`${def.name}_bucket${labelText({ ...s.labels, le: "+Inf" })} ${s.count}`);
      out.push(`${def.name}_sum${labelText(s.labels)} ${formatNumber(s.sum)}`);
      out.push(`${def.name}_count${labelText(s.labels)} ${s.count}`);
    }
  }
  for (const [key, def] of Object.entries(GAUGES)) {
    head(def.name, def.help, "gauge");
    for (const s of args.gauges.filter((g) => g.gauge === key))
      out.push(`${def.name}${labelText(s.labels)} ${formatNumber(s.value)}`);
  }
  return `${out.join("\n")}\n`;
}

// Adds one observation to a stored histogram (cumulative buckets, as the exposition wants them).
export function observeInto(
  bounds: readonly number[],
  sample: Omit<HistogramSample, "name" | "labels">,
  value: number,
) {
  for (const [i, le] of bounds.entries()) {
    if (value <= le) sample.buckets[i] = (sample.buckets[i] ?? 0) + 1;
  }
  sample.sum += value;
  sample.count += 1;
}
