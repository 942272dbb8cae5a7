// Hostile input at the real API in workerd: a seeded corpus of mutated and random bodies and ids.
// Nothing may answer >= 500, and every error must be JSON with code and message.
import { join } from "node:path";
import { errorBody } from "@qmk-edge/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTempDir, removeDir } from "../servers/daemon.ts";
import { fuzzBodies, fuzzIds } from "../support/fuzz-corpus.ts";
import { type EdgeApi, startEdgeApi } from "../support/system.ts";

// FUZZ_CASES=20000 npm test -- --filter @qmk-edge/test for a long run; CI runs the default.
const CASES = Number(process.env.FUZZ_CASES ?? 2000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261127);
const valid = {
  keyboard: "handwired/edge_pad",
  keymap: "fuzz",
  layout: "LAYOUT_ortho_4x4",
  layers: [Array(16).fill("KC_A"), Array(16).fill("KC_TRNS")],
};

const tmp = makeTempDir("e2e-fuzz");
let api: EdgeApi;
beforeAll(async () => {
  api = await startEdgeApi({
    persistDir: join(tmp, "state"),
    logFile: join(tmp, "api.log"),
    vars: { RATE_LIMIT_PER_MINUTE: "10000000" },
  });
}, 90_000);
afterAll(async () => {
  await api?.stop();
  removeDir(tmp);
});

type Outcome = { name: string; status: number; problem: string | null };

async function check(name: string, res: Response): Promise<Outcome> {
  const text = await res.text();
  if (res.status >= 500) return { name, status: res.status, problem: `server error: ${text.slice(0, 200)}` };
  if (res.status < 400) return { name, status: res.status, problem: null };
  try {
    const body = errorBody.parse(JSON.parse(text));
    return {
      name,
      status: res.status,
      problem: body.code === res.status ? null : `code ${body.code} != ${res.status}`,
    };
  } catch {
    return {
      name,
      status: res.status,
      problem: `error body is not {code, message} JSON: ${text.slice(0, 200)}`,
    };
  }
}

async function inBatches<T, R>(items: T[], size: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

describe(`fuzz (seed ${SEED}, ${CASES} bodies)`, () => {
  it("POST /v1/compile never answers >= 500 and every error is JSON", async () => {
    const cases = fuzzBodies(SEED, CASES, valid);
    const outcomes = await inBatches(cases, 16, async (c) => {
      const headers: Record<string, string> = c.contentType ? { "content-type": c.contentType } : {};
      return check(c.name, await fetch(`${api.url}/v1/compile`, { method: "POST", headers, body: c.body }));
    });
    expect(outcomes.filter((o) => o.problem !== null)).toEqual([]);
    // The corpus is hostile on purpose: most must be refused, and some mutations stay valid.
    expect(outcomes.filter((o) => o.status >= 400).length).toBeGreaterThan(CASES / 2);
  }, 600_000);

  it("GET routes with random ids never answer >= 500 and every error is JSON", async () => {
    const ids = fuzzIds(SEED + 1, Math.max(200, CASES / 4));
    const suffixes = ["", "/download", "/hex", "/source", "/keymap", "/log"];
    const outcomes = await inBatches(ids, 16, async (id) => {
      const path = `/v1/compile/${id}${suffixes[id.length % suffixes.length]}`;
      return check(path, await fetch(`${api.url}${path}`));
    });
    expect(outcomes.filter((o) => o.problem !== null)).toEqual([]);
    expect(outcomes.every((o) => o.status === 400 || o.status === 404)).toBe(true);
  }, 600_000);
});
