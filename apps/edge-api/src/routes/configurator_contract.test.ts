import {
  compileStatus,
  errorBody,
  keyboardInfoResponse,
  keyboardListResponse,
  keymapSkeleton,
  serviceStatus,
} from "@qmk-edge/schema";
import { beforeAll, describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, compileBody, json } from "../../test-support/api-client.ts";
import { demoCatalogue, publishCatalogue } from "../../test-support/catalogue.ts";

// Exactly the reads QMK Configurator makes against VITE_API_URL and VITE_KEYBOARDS_URL when both point at
// qmk-edge (issue 12; its src/store/modules/app/actions.js, src/api.js, StatusBar.vue), as a page on another
// origin: every answer carries CORS, and it calls .json() on error bodies before checking `ok`.

const ORIGIN = "https://config.example.test";
const agent = new Agent(target, "configurator-agent");
const KEYBOARD = "handwired/qmk_edge_split/rev1";

function get(path: string): Promise<Response> {
  return target.fetch(path, { headers: { origin: ORIGIN, accept: "application/json" } });
}

async function readJson(res: Response): Promise<unknown> {
  expect(res.headers.get("access-control-allow-origin")).toBe("*");
  return res.json();
}

beforeAll(async () => {
  await publishCatalogue(agent, await demoCatalogue(target.firmwareVersion));
});

describe("QMK Configurator against qmk-edge alone", () => {
  it("polls GET /v1 for version, queue_length and status", async () => {
    await agent.lease();
    const res = await get("/v1");
    expect(res.status).toBe(200);
    const body = serviceStatus.parse(await readJson(res));
    expect(typeof body.version).toBe("string");
    expect(Number.isNaN(Number.parseInt(String(body.queue_length), 10))).toBe(false);
    expect(body.status).toBe("running");
  });

  it("loads the keyboard list, a slashed keyboard's info.json and its readme", async () => {
    const list = keyboardListResponse.parse(await readJson(await get("/v1/keyboard_list.json")));
    expect(list.keyboards).toContain(KEYBOARD);
    expect(typeof list.last_updated).toBe("string");

    const infoRes = await get(`/v1/keyboards/${KEYBOARD}/info.json`);
    expect(infoRes.status).toBe(200);
    const info = keyboardInfoResponse.parse(await readJson(infoRes));
    const keyboard = info.keyboards[KEYBOARD];
    expect(keyboard, "the page throws without keyboards[<kb>]").toBeDefined();
    for (const key of keyboard!.layouts.LAYOUT_split_1x2!.layout) {
      expect(key).toEqual(
        expect.objectContaining({ x: expect.any(Number), y: expect.any(Number), matrix: expect.any(Array) }),
      );
    }

    const readme = await target.fetch("/v1/keyboards/handwired/qmk_edge_demo/readme.md", {
      headers: { origin: ORIGIN },
    });
    expect(readme.status).toBe(200);
    expect(readme.headers.get("access-control-allow-origin")).toBe("*");
    expect(await readme.text()).toMatch(/^# qmk-edge demo pad/);
  });

  it("fills the skeleton, preflights the JSON POST, compiles and polls until the firmware URLs come", async () => {
    const skeleton = keymapSkeleton.parse(await readJson(await get("/v1/skeletons/keymap")));

    const preflight = await target.fetch("/v1/compile", {
      method: "OPTIONS",
      headers: {
        origin: ORIGIN,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
    expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("content-type");

    const { keymap } = compileBody();
    const body = {
      ...skeleton,
      keyboard: KEYBOARD,
      keymap,
      layout: "LAYOUT_split_1x2",
      layers: [["KC_A", "RGB_TOG"]],
    };
    const posted = await target.fetch("/v1/compile", {
      method: "POST",
      headers: { origin: ORIGIN, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(posted.status).toBe(200);
    const { enqueued, job_id } = (await readJson(posted)) as { enqueued: boolean; job_id: string };
    expect(enqueued).toBe(true);

    const queued = compileStatus.parse(await readJson(await get(`/v1/compile/${job_id}`)));
    expect(queued).toMatchObject({ status: "queued", result: null });

    const { firmware } = await agent.build(job_id);
    const done = compileStatus.parse(await readJson(await get(`/v1/compile/${job_id}`)));
    expect(done).toMatchObject({ status: "finished", is_failed: false });
    expect(done.keycode_translations).toEqual([{ path: "layers.0.1", from: "RGB_TOG", to: "UG_TOGG" }]);
    const result = done.result!;
    for (const urls of [result.firmware_binary_url, result.firmware_keymap_url, result.firmware_source_url]) {
      expect(urls).toHaveLength(1);
    }
    const download = await target.fetch(new URL(result.firmware_binary_url[0]!).pathname, {
      headers: { origin: ORIGIN },
    });
    expect(download.status).toBe(200);
    expect(new Uint8Array(await download.arrayBuffer())).toEqual(firmware);
  });

  it("gets JSON error bodies with CORS for what it cannot have", async () => {
    const unknownBoard = await get("/v1/keyboards/handwired/not_a_board/info.json");
    expect(unknownBoard.status).toBe(404);
    errorBody.parse(await readJson(unknownBoard));

    const unknownJob = await get(`/v1/compile/${"0".repeat(32)}`);
    expect(unknownJob.status).toBe(404);
    errorBody.parse(await readJson(unknownJob));
  });
});

// Issue 18: Configurator's compileLayout() throws on any non-2xx answer ("Unexpected error", COMPILE stays
// greyed) and shows the server's words only for a job whose status is `failed`, after "* Error:". So every
// refusal of a request carrying an Origin header is a 2xx job that has already failed with a readable
// `result.output`; the same request without Origin (scripts, the CLI) keeps its error answer.
describe("refusals Configurator can show", () => {
  const post = (body: unknown, origin: boolean, init: { clientIp?: string } = {}) =>
    target.fetch("/v1/compile", {
      method: "POST",
      headers: { "content-type": "application/json", ...(origin ? { origin: ORIGIN } : {}) },
      body: typeof body === "string" ? body : JSON.stringify(body),
      ...init,
    });

  // The 2xx answer Configurator polls on, and the failed status it then prints.
  async function refusedJob(res: Response, via: (path: string) => Promise<Response> = get) {
    expect(res.status).toBe(200);
    const answer = (await readJson(res)) as { enqueued: boolean; job_id: string };
    expect(answer.enqueued).toBe(true);
    const status = compileStatus.parse(await readJson(await via(`/v1/compile/${answer.job_id}`)));
    expect(status).toMatchObject({ status: "failed", is_failed: true, queue_position: null });
    expect(status.result, "Configurator prints result.output only when result is set").not.toBeNull();
    const { output } = status.result!;
    expect(output.endsWith("\n"), "a line: Configurator appends its next message right after it").toBe(true);
    return { status, lines: output.slice(0, -1).split("\n") };
  }

  const badKeycodeBody = () => ({
    ...compileBody(),
    keyboard: KEYBOARD,
    layout: "LAYOUT_split_1x2",
    layers: [["KC_A", "KC_NOPE"]],
  });

  it("an unknown keycode (the catalogue's 422): one sentence, then the key in words", async () => {
    const plain = errorBody.parse(await readJson(await post(badKeycodeBody(), false)));
    expect(plain.code).toBe(422);
    expect(plain.errors).toEqual([{ path: "layers.0.1", message: expect.stringContaining("KC_NOPE") }]);

    const { status, lines } = await refusedJob(await post(badKeycodeBody(), true));
    expect(lines[0]).toBe(
      "This keymap was not compiled: 1 problem was found in it (below); fix it and press Compile again.",
    );
    // The catalogue check's own message (with its suggestion, when it has one) after the key in words.
    expect(lines[1]).toBe(`layer 0, key 2 (KC_NOPE): ${plain.errors![0]!.message}`);
    expect(lines).toHaveLength(2);
    expect(status.refusal).toEqual({ code: 422, message: plain.message, errors: plain.errors });
    expect(status.result).toMatchObject({ keyboard: KEYBOARD, layout: "LAYOUT_split_1x2", returncode: -4 });
    expect(status.result!.firmware_binary_url).toEqual([]);
  });

  it("a request the schema refuses (422): a line per field", async () => {
    const body = { ...compileBody(), keymap: "no spaces allowed", layers: [["KC_A", "KC_B"], ["KC_C"]] };
    const plain = errorBody.parse(await readJson(await post(body, false)));
    expect(plain.code).toBe(422);

    const { lines } = await refusedJob(await post(body, true));
    expect(lines[0]).toMatch(/^This keymap was not compiled: 2 problems were found in it/);
    expect(lines.slice(1).sort()).toEqual([
      expect.stringMatching(/^keymap: /),
      expect.stringMatching(/^layer 1: layer 1 has 1 keys/),
    ]);
  });

  it("unreadable JSON (400) and a keymap past the size limit (413)", async () => {
    expect((await post("{not json", false)).status).toBe(400);
    expect((await refusedJob(await post("{not json", true))).lines[0]).toMatch(
      /^This keymap was not compiled: the compile service could not read it/,
    );

    const huge = { ...compileBody(), notes: "x".repeat(300 * 1024) };
    expect((await post(huge, false)).status).toBe(413);
    const { status, lines } = await refusedJob(await post(huge, true));
    expect(lines).toEqual([
      "This keymap was not compiled: it is larger than the compile service accepts (256 KiB).",
    ]);
    expect(status.refusal?.code).toBe(413);
  });

  it("too many compiles (429): says how long to wait; refusal jobs are rate-limited in turn", async () => {
    const clientIp = "203.0.113.118";
    const limit = target.rateLimitPerMinute;
    let refused: Awaited<ReturnType<typeof refusedJob>> | null = null;
    // A fixed window can roll over between two requests: then the bucket is fresh again; try once more.
    for (let attempt = 0; attempt < 3 && refused?.status.refusal?.code !== 429; attempt++) {
      let plain: Response | null = null;
      for (let i = 0; i < limit * 2 + 1 && plain?.status !== 429; i++) {
        plain = await post(badKeycodeBody(), false, { clientIp });
        if (plain.status !== 429) await plain.body?.cancel();
      }
      expect(plain?.status).toBe(429);
      expect(Number(plain!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      await plain!.body?.cancel();
      refused = await refusedJob(await post(badKeycodeBody(), true, { clientIp }));
    }
    expect(refused!.status.refusal?.code).toBe(429);
    expect(refused!.lines).toEqual([
      expect.stringMatching(/^Too many compiles from your address: wait \d+ s and press Compile again\.$/),
    ]);

    // 429s are not counted by the compile limit; past a bucket of their own (its size, per address and
    // minute) a browser gets the plain 429: refusal jobs cannot be used to fill the store.
    let last: Response | null = null;
    for (let i = 0; i < limit * 2 + 1 && last?.status !== 429; i++) {
      last = await post(badKeycodeBody(), true, { clientIp });
      if (last.status !== 429) await last.body?.cancel();
    }
    expect(last?.status).toBe(429);
    errorBody.parse(await readJson(last!));
  });

  it("the API's own queue down (503): a job that says so", async () => {
    const down = await target.withQueueDown();
    try {
      const body: Record<string, unknown> = {
        ...compileBody(),
        keyboard: KEYBOARD,
        layout: "LAYOUT_split_1x2",
        layers: [["KC_A", "KC_B"]],
      };
      const plain = await down.fetch("/v1/compile", json(body));
      expect(plain.status).toBe(503);
      errorBody.parse(await plain.json());

      const { status, lines } = await refusedJob(
        await down.fetch(
          "/v1/compile",
          json({ ...body, keymap: `${String(body.keymap)}_2` }, { origin: ORIGIN }),
        ),
      );
      expect(lines[0]).toMatch(/^The compile service cannot take jobs right now .*try again in a minute\.$/);
      expect(status.refusal?.code).toBe(503);
    } finally {
      await down.close();
    }
  });

  it("a request without Origin is never turned into a job, and REFUSAL_JOB_ORIGINS can narrow or stop it", async () => {
    const listed = await target.withEnv({ REFUSAL_JOB_ORIGINS: "https://other.example.test" });
    const off = await target.withEnv({ REFUSAL_JOB_ORIGINS: "none" });
    try {
      for (const api of [listed, off]) {
        const res = await api.fetch("/v1/compile", json(badKeycodeBody(), { origin: ORIGIN }));
        expect(res.status).toBe(422);
        await res.body?.cancel();
      }
      const allowed = await listed.fetch(
        "/v1/compile",
        json(badKeycodeBody(), { origin: "https://other.example.test" }),
      );
      await refusedJob(allowed);
    } finally {
      await listed.close();
      await off.close();
    }
  });
});

describe("no build agent for the firmware version: the job fails in bounded time, saying so", () => {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const version = (name: string) => `${name}-${Date.now().toString(36)}`;

  it("fails after NO_AGENT_WAIT_SECONDS with the reason as output; GET /v1 says degraded", async () => {
    const firmware = version("no-agent");
    const api = await target.withEnv({ FIRMWARE_VERSION: firmware, NO_AGENT_WAIT_SECONDS: "1" });
    try {
      const posted = await api.fetch("/v1/compile", json(compileBody(), { origin: ORIGIN }));
      expect(posted.status).toBe(200);
      const { job_id } = (await posted.json()) as { job_id: string };
      let status = compileStatus.parse(await (await api.fetch(`/v1/compile/${job_id}`)).json());
      for (let i = 0; i < 100 && status.status === "queued"; i++) {
        await sleep(200);
        status = compileStatus.parse(await (await api.fetch(`/v1/compile/${job_id}`)).json());
      }
      expect(status).toMatchObject({ status: "failed", is_failed: true });
      expect(status.result!.output).toBe(
        `no build agent is online for firmware ${firmware}; nothing was built — try again later\n`,
      );
      // Ended for the dispatcher too: no agent of that version would get it now.
      const late = new Agent(target, "late-agent");
      const lease = await late.post("/v1/agent/lease", {
        agent_id: late.id,
        toolchains: late.toolchains,
        firmware_version: firmware,
        wait_ms: 0,
      });
      expect(lease.status).toBe(204);

      const health = await api.fetch("/v1");
      expect(health.status).toBe(200);
      expect(serviceStatus.parse(await health.json())).toMatchObject({ firmware_version: firmware });
    } finally {
      await api.close();
    }
  });

  it("waits on while an agent of that version is connected", async () => {
    const firmware = version("with-agent");
    const api = await target.withEnv({ FIRMWARE_VERSION: firmware, NO_AGENT_WAIT_SECONDS: "1" });
    const pollFor = (agent: Agent) =>
      agent.post("/v1/agent/lease", {
        agent_id: agent.id,
        toolchains: agent.toolchains,
        firmware_version: firmware,
        wait_ms: 0,
      });
    try {
      const agent = new Agent(target, "waiting-agent");
      expect((await pollFor(agent)).status).toBe(204);
      const posted = await api.fetch("/v1/compile", json(compileBody(), { origin: ORIGIN }));
      const { job_id } = (await posted.json()) as { job_id: string };
      await sleep(1500);
      const status = compileStatus.parse(await (await api.fetch(`/v1/compile/${job_id}`)).json());
      expect(status.status).toBe("queued");
      const leased = await pollFor(agent);
      expect(leased.status).toBe(200);
      expect(((await leased.json()) as { job: { id: string } }).job.id).toBe(job_id);
    } finally {
      await api.close();
    }
  });
});
