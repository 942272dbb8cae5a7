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
import { Agent, compileBody } from "../../test-support/api-client.ts";
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

    const badKeycode = await target.fetch("/v1/compile", {
      method: "POST",
      headers: { origin: ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({
        ...compileBody(),
        keyboard: KEYBOARD,
        layout: "LAYOUT_split_1x2",
        layers: [["KC_A", "KC_NOPE"]],
      }),
    });
    expect(badKeycode.status).toBe(422);
    expect(errorBody.parse(await readJson(badKeycode)).errors).toEqual([
      { path: "layers.0.1", message: `unknown keycode KC_NOPE for firmware ${target.firmwareVersion}` },
    ]);

    const unknownJob = await get(`/v1/compile/${"0".repeat(32)}`);
    expect(unknownJob.status).toBe(404);
    errorBody.parse(await readJson(unknownJob));
  });
});
