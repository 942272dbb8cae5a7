import { compileStatus } from "@qmk-edge/schema";
import { beforeEach, describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, compileBody, expectError, json, status, submit } from "../../test-support/api-client.ts";
import { demoCatalogue, demoInfo, publishCatalogue } from "../../test-support/catalogue.ts";

// POST /v1/compile against the published catalogue of the served firmware version: refused at once with
// field paths when it cannot build, legacy keycodes renamed and said so.

const agent = new Agent(target, "catalogue-compile");
let published = false;
const publish = async () => {
  if (!published) await publishCatalogue(agent, await demoCatalogue(target.firmwareVersion));
  published = true;
};

const post = (body: unknown) => target.fetch("/v1/compile", json(body));

async function expectRefused(body: Record<string, unknown>) {
  const answer = await expectError(await post(body), 422);
  await target.deliverQueue();
  expect(await agent.lease()).toBeNull();
  return answer.errors ?? [];
}

// Sent before a catalogue is published and again, byte for byte, after.
const unknownKeycode = compileBody({ layers: [["KC_NOT_IN_ANY_TREE", "KC_B", "KC_C", "KC_D"]] });

describe("POST /v1/compile with no catalogue published", () => {
  it("queues what the agent will check, as before", async () => {
    const id = await submit(target, unknownKeycode);
    expect((await agent.leaseJob(id)).job.request.layers[0]![0]).toBe("KC_NOT_IN_ANY_TREE");
  });
});

describe("POST /v1/compile with a catalogue published", () => {
  beforeEach(async () => {
    await publish();
    await agent.drain();
  });

  it("checks a body it queued before the catalogue was published against it when sent again", async () => {
    const errors = await expectRefused(unknownKeycode);
    expect(errors.find((e) => e.path === "layers.0.0")?.message).toMatch(
      /unknown keycode KC_NOT_IN_ANY_TREE/,
    );
  });

  it("queues a request that fits, unchanged and without translations", async () => {
    const body = compileBody();
    const id = await submit(target, body);
    const lease = await agent.leaseJob(id);
    expect(lease.job.request.layers).toEqual(body.layers);
    expect(compileStatus.parse(await status(target, id))).not.toHaveProperty("keycode_translations");
  });

  it("resolves keyboard aliases and layout aliases", async () => {
    await submit(
      target,
      compileBody({
        keyboard: "handwired/qmk_edge_split",
        layout: "LAYOUT_split_1x2",
        layers: [["KC_A", "KC_B"]],
      }),
    );
    await submit(target, compileBody({ layout: "LAYOUT" }));
  });

  it("renames legacy keycodes, queues the new names and lists each renaming", async () => {
    const id = await submit(
      target,
      compileBody({
        layers: [
          ["KC_A", "RGB_TOG", "LT(1, RGB_TOG)", "KC_QMKEDGE_OLD"],
          ["KC_TRNS", "KC_TRNS", "KC_TRNS", "KC_TRNS"],
        ],
      }),
    );
    const lease = await agent.leaseJob(id);
    expect(lease.job.request.layers[0]).toEqual(["KC_A", "UG_TOGG", "LT(1, UG_TOGG)", "KC_B"]);
    expect(compileStatus.parse(await status(target, id)).keycode_translations).toEqual([
      { path: "layers.0.1", from: "RGB_TOG", to: "UG_TOGG" },
      { path: "layers.0.2", from: "RGB_TOG", to: "UG_TOGG" },
      { path: "layers.0.3", from: "KC_QMKEDGE_OLD", to: "KC_B" },
    ]);
  });

  it("answers a legacy request from the build of its renamed twin, still listing the renaming", async () => {
    const renamed = compileBody({ layers: [["KC_A", "UG_TOGG", "KC_B", "KC_B"]] });
    const built = await submit(target, renamed);
    await agent.build(built);
    const legacy = await submit(target, { ...renamed, layers: [["KC_A", "RGB_TOG", "KC_B", "KC_B"]] });
    const answer = compileStatus.parse(await status(target, legacy));
    expect(answer).toMatchObject({ status: "finished", cached: true });
    expect(answer.keycode_translations).toEqual([{ path: "layers.0.1", from: "RGB_TOG", to: "UG_TOGG" }]);
  });

  it("says the renames first in result.output, where QMK Configurator shows them", async () => {
    const id = await submit(target, compileBody({ layers: [["KC_A", "RGB_TOG", "KC_B", "KC_QMKEDGE_OLD"]] }));
    await agent.build(id);
    const answer = compileStatus.parse(await status(target, id));
    expect(answer.status).toBe("finished");
    expect(answer.result!.output).toBe(
      [
        "qmk-edge: 2 legacy keycodes were renamed as QMK renamed them:",
        "  layers.0.1: RGB_TOG -> UG_TOGG",
        "  layers.0.3: KC_QMKEDGE_OLD -> KC_B",
        "",
        "make: built",
        "",
      ].join("\n"),
    );
  });

  it("takes a keyboard's own renames first: RGB_TOG is RM_TOGG on an RGB Matrix board only", async () => {
    const info = demoInfo();
    info["handwired/qmk_edge_demo"]!.keycode_renames = { RGB_TOG: "RM_TOGG" };
    await publishCatalogue(agent, await demoCatalogue(target.firmwareVersion, { keyboards: info }));
    try {
      const matrix = await submit(target, compileBody({ layers: [["KC_A", "RGB_TOG", "KC_B", "KC_B"]] }));
      expect((await agent.leaseJob(matrix)).job.request.layers[0]).toEqual([
        "KC_A",
        "RM_TOGG",
        "KC_B",
        "KC_B",
      ]);
      expect(compileStatus.parse(await status(target, matrix)).keycode_translations).toEqual([
        { path: "layers.0.1", from: "RGB_TOG", to: "RM_TOGG" },
      ]);
      const other = await submit(
        target,
        compileBody({
          keyboard: "handwired/qmk_edge_split",
          layout: "LAYOUT_split_1x2",
          layers: [["RGB_TOG", "KC_A"]],
        }),
      );
      expect((await agent.leaseJob(other)).job.request.layers[0]).toEqual(["UG_TOGG", "KC_A"]);
    } finally {
      await publishCatalogue(agent, await demoCatalogue(target.firmwareVersion));
    }
  });

  it("says which known name an unknown one is close to", async () => {
    const errors = await expectRefused(
      compileBody({
        layers: [
          ["KC_ESCC", "UG_TOG", "LT(1, kc_spc)", "KC_A"],
          ["KC_TRNS", "KC_TRNS", "KC_TRNS", "KC_TRNS"],
        ],
      }),
    );
    const v = target.firmwareVersion;
    expect(errors).toEqual([
      { path: "layers.0.0", message: `unknown keycode KC_ESCC for firmware ${v}; did you mean KC_ESC?` },
      { path: "layers.0.1", message: `unknown keycode UG_TOG for firmware ${v}; did you mean UG_TOGG?` },
      { path: "layers.0.2", message: `unknown keycode kc_spc for firmware ${v}; did you mean KC_SPC?` },
    ]);
  });

  it("refuses a keyboard the catalogue lacks", async () => {
    expect(await expectRefused(compileBody({ keyboard: "handwired/not_in_tree" }))).toEqual([
      {
        path: "keyboard",
        message: `unknown keyboard handwired/not_in_tree for firmware ${target.firmwareVersion}`,
      },
    ]);
  });

  it("refuses a layout the keyboard lacks, naming the ones it has", async () => {
    const errors = await expectRefused(compileBody({ layout: "LAYOUT_60_ansi" }));
    expect(errors).toEqual([{ path: "layout", message: expect.stringContaining("it has LAYOUT_ortho_2x2") }]);
  });

  it("refuses layers with the wrong number of keys", async () => {
    const errors = await expectRefused(
      compileBody({
        layers: [
          ["KC_A", "KC_B", "KC_A"],
          ["KC_A", "KC_B", "KC_A"],
        ],
      }),
    );
    expect(errors.map((e) => e.path)).toEqual(["layers.0", "layers.1"]);
    expect(errors[0]!.message).toBe("has 3 keys; LAYOUT_ortho_2x2 of handwired/qmk_edge_demo has 4");
  });

  it("refuses keycodes and keycode functions the tree does not define, at their keys", async () => {
    const errors = await expectRefused(
      compileBody({
        layers: [
          ["KC_A", "KC_B", "KC_C", "MO(1)"],
          ["KC_TRNS", "TD(0)", "LT(1, KC_NOPE)", "KC_A"],
        ],
      }),
    );
    expect(errors).toEqual([
      { path: "layers.0.2", message: `unknown keycode KC_C for firmware ${target.firmwareVersion}` },
      { path: "layers.1.1", message: `unknown keycode function TD() for firmware ${target.firmwareVersion}` },
      { path: "layers.1.2", message: `unknown keycode KC_NOPE for firmware ${target.firmwareVersion}` },
    ]);
  });

  it("takes a keycode the keyboard itself defines, on that keyboard only", async () => {
    const own = "PAD_HELLO";
    const refused = await expectRefused(compileBody({ layers: [[own, "KC_B", "KC_A", "KC_A"]] }));
    expect(refused.map((e) => e.path)).toEqual(["layers.0.0"]);
    const info = demoInfo();
    info["handwired/qmk_edge_demo"]!.keyboard_keycodes = [own];
    await publishCatalogue(agent, await demoCatalogue(target.firmwareVersion, { keyboards: info }));
    try {
      const id = await submit(target, compileBody({ layers: [[own, "KC_B", "KC_A", "KC_A"]] }));
      expect((await agent.leaseJob(id)).job.request.layers[0]![0]).toBe(own);
      const other = await expectRefused(
        compileBody({
          keyboard: "handwired/qmk_edge_split",
          layout: "LAYOUT_split_1x2",
          layers: [[own, "KC_A"]],
        }),
      );
      expect(other.map((e) => e.path)).toEqual(["layers.0.0"]);
    } finally {
      await publishCatalogue(agent, await demoCatalogue(target.firmwareVersion));
    }
  });

  it("still answers grammar errors before catalogue ones", async () => {
    const res = await post(compileBody({ keyboard: "Not A Keyboard" }));
    const body = await expectError(res, 422);
    expect(body.errors?.[0]?.path).toBe("keyboard");
    expect(body.message).toBe("invalid compile request");
  });
});
