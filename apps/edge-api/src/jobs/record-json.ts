// A job record's JSON, with the parts it shares with other records serialized once. Most of a build-cache
// hit's record is what earlier records held too: the request (the validated-body memo gives every POST of the
// same bytes the same object: routes/v1_compile_create.body.ts) and the cache entry's artifacts and result (the
// cache memo's objects; `result.output` is a build log's tail of up to LIMITS.logTailChars). Serializing those
// again for every hit was about a tenth of a hit's CPU on Node. Only objects handed to `shareJson` are reused,
// and `shareJson` freezes them, deeply: the text kept for one cannot go stale.

// A shared object's JSON once a record needed it (null: shared, not serialized yet).
const texts = new WeakMap<object, string | null>();

// Marks `value` (and returns it) as shared by many records: frozen, deeply, and serialized at most once.
export function shareJson<T>(value: T): T {
  if (typeof value !== "object" || value === null || texts.has(value)) return value;
  deepFreeze(value);
  texts.set(value, null);
  return value;
}

// The same JSON text as JSON.stringify(record) would give, but for the order of the keys: a shared value's
// key comes after the others.
export function recordJson(record: object): string {
  let rest: Record<string, unknown> | null = null;
  let shared = "";
  for (const key in record) {
    const text = sharedText((record as Record<string, unknown>)[key]);
    if (text === undefined) continue;
    rest ??= { ...record };
    // JSON.stringify leaves out a key whose value is undefined.
    rest[key] = undefined;
    shared += `,${JSON.stringify(key)}:${text}`;
  }
  if (rest === null) return JSON.stringify(record);
  const others = JSON.stringify(rest);
  return others === "{}" ? `{${shared.slice(1)}}` : `${others.slice(0, -1)}${shared}}`;
}

function sharedText(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const text = texts.get(value);
  if (text !== null) return text;
  const json = JSON.stringify(value);
  texts.set(value, json);
  return json;
}

function deepFreeze(value: object): void {
  Object.freeze(value);
  for (const child of Object.values(value)) {
    if (typeof child === "object" && child !== null) deepFreeze(child);
  }
}
