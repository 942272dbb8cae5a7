// The units options are written in (load-config.ts reads them; the help text names them).

// Durations: "90s", "10m", "1h", "500ms"; a bare number is seconds.
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? "s") as "ms" | "s" | "m" | "h"];
  return Math.round(n * unit);
}

// Sizes: "1m", "512k", "65536"; 1024-based.
export function parseSize(text: string): number | undefined {
  const m = /^(\d+)([kmg]i?b?)?$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[
    (m[2]?.[0] ?? "").toLowerCase() as "k" | "m" | "g"
  ];
  return Number(m[1]) * unit;
}
