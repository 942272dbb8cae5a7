import { describe, expect, it } from "vitest";
import { target } from "#test-target";
import { Agent, expectError } from "../../test-support/api-client.ts";
import { demoCatalogue, publishCatalogue } from "../../test-support/catalogue.ts";

const agent = new Agent(target, "keyboard-read-errors");

const READS = [
  "/v1/keyboard_list.json",
  "/v1/keyboards/handwired/qmk_edge_demo/info.json",
  "/v1/keyboards/handwired/qmk_edge_demo/readme.md",
  "/v1/keyboards/handwired/qmk_edge_split/rev1/keymaps/default",
];

describe("reading the keyboard catalogue: errors", () => {
  it("answers 404 JSON saying no catalogue is published, before any is", async () => {
    for (const path of READS) {
      const body = await expectError(
        await target.fetch(path, { headers: { origin: "https://config.qmk.fm" } }),
        404,
      );
      expect(body.message).toBe(`no catalogue is published for ${target.firmwareVersion}`);
    }
  });

  it("answers 404 JSON for a keyboard the catalogue lacks, a missing readme and a missing default keymap", async () => {
    await publishCatalogue(agent, await demoCatalogue(target.firmwareVersion));
    const unknown = await expectError(await target.fetch("/v1/keyboards/handwired/nope/info.json"), 404);
    expect(unknown.message).toBe(`no keyboard handwired/nope in the catalogue of ${target.firmwareVersion}`);
    const readme = await expectError(
      await target.fetch("/v1/keyboards/handwired/qmk_edge_split/readme.md"),
      404,
    );
    expect(readme.message).toContain("handwired/qmk_edge_split/rev1 has no readme.md");
    await expectError(await target.fetch("/v1/keyboards/handwired/qmk_edge_demo/keymaps/default"), 404);
    // A folder between a keyboard and its parent is not itself a keyboard.
    await expectError(await target.fetch("/v1/keyboards/handwired/info.json"), 404);
  });

  it("serves only the configured firmware version's catalogue", async () => {
    const other = await demoCatalogue("other-9", {
      keyboards: {
        "handwired/only_other": {
          ...(await demoCatalogue("x")).info["handwired/qmk_edge_demo"]!,
          keyboard_folder: "handwired/only_other",
        },
      },
    });
    await publishCatalogue(agent, other);
    await expectError(await target.fetch("/v1/keyboards/handwired/only_other/info.json"), 404);
  });

  it("answers writes to the read routes with 405 JSON", async () => {
    const res = await target.fetch("/v1/keyboard_list.json", { method: "PUT", body: "{}" });
    await expectError(res, 405);
  });
});
