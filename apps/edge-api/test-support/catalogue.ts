import type {
  CatalogueKeycodes,
  CatalogueManifest,
  CataloguePublishResponse,
  DefaultKeymap,
  KeyboardInfo,
} from "@qmk-edge/schema";
import { expect } from "vitest";
import type { Agent } from "./api-client.ts";
import { sha256Hex } from "./api-client.ts";

// A small keyboard catalogue built in the test (never by the build agent), published through the agent
// routes the way an agent does: ask what is missing, upload that, publish the manifest.

export interface TestObject {
  bytes: Uint8Array;
  contentType: "application/json" | "text/markdown";
  sha256: string;
}

export interface TestCatalogue {
  manifest: CatalogueManifest;
  objects: TestObject[];
  // By role, for tests that look at one.
  info: Record<string, KeyboardInfo>;
  readme: TestObject;
  keycodes: CatalogueKeycodes;
}

export async function testObject(
  value: unknown,
  contentType: TestObject["contentType"] = "application/json",
): Promise<TestObject> {
  const bytes = new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value));
  return { bytes, contentType, sha256: await sha256Hex(bytes) };
}

const key = (r: number, c: number, label?: string) => ({
  matrix: [r, c] as [number, number],
  x: c,
  y: r,
  label,
});

// The demo pad (compileBody's keyboard: LAYOUT_ortho_2x2, 4 keys) and a split board behind a DEFAULT_FOLDER
// parent, with a readme only on the pad and a default keymap only on the split.
export function demoInfo(): Record<string, KeyboardInfo> {
  return {
    "handwired/qmk_edge_demo": {
      keyboard_name: "qmk-edge demo pad",
      manufacturer: "qmk-edge",
      url: "",
      maintainer: "qmk-edge",
      processor: "atmega32u4",
      bootloader: "atmel-dfu",
      usb: { vid: "0xFEED", pid: "0x0001", device_version: "1.0.0" },
      matrix_size: { rows: 2, cols: 2 },
      layouts: {
        LAYOUT_ortho_2x2: { layout: [key(0, 0, "A"), key(0, 1, "B"), key(1, 0), { ...key(1, 1), w: 1.5 }] },
      },
      layout_aliases: { LAYOUT: "LAYOUT_ortho_2x2" },
      keyboard_folder: "handwired/qmk_edge_demo",
      features: { bootmagic: true },
    },
    "handwired/qmk_edge_split/rev1": {
      keyboard_name: "qmk-edge split",
      manufacturer: "qmk-edge",
      maintainer: "qmk-edge",
      processor: "RP2040",
      bootloader: "rp2040",
      layouts: { LAYOUT_split_1x2: { layout: [key(0, 0), key(0, 1)] } },
      layout_aliases: {},
      keyboard_folder: "handwired/qmk_edge_split/rev1",
    },
  };
}

export const DEMO_KEYCODE_NAMES = [
  "KC_A",
  "KC_B",
  "KC_ESC",
  "KC_NO",
  "KC_SPC",
  "KC_TRNS",
  "LCTL_T",
  "LT",
  "MO",
  "QK_BOOT",
  "RM_TOGG",
  "UG_TOGG",
  "_______",
];

export async function demoCatalogue(
  firmwareVersion: string,
  overrides: { lastUpdated?: string; keyboards?: Record<string, KeyboardInfo> } = {},
): Promise<TestCatalogue> {
  const info = overrides.keyboards ?? demoInfo();
  const keycodes: CatalogueKeycodes = {
    firmware_version: firmwareVersion,
    names: DEMO_KEYCODE_NAMES,
    // RGB_TOG is in QMK's own legacy list too; KC_QMKEDGE_OLD is only here, so a test can tell that the
    // catalogue's renames are the ones applied.
    renames: { RGB_TOG: "UG_TOGG", KC_QMKEDGE_OLD: "KC_B" },
  };
  const readme = await testObject("# qmk-edge demo pad\n\nFour keys.\n", "text/markdown");
  const keymap: DefaultKeymap = {
    keyboard: "handwired/qmk_edge_split/rev1",
    keymap: "default",
    layout: "LAYOUT_split_1x2",
    layers: [["KC_A", "KC_B"]],
    version: 1,
  };
  const keymapObject = await testObject(keymap);
  const keycodesObject = await testObject(keycodes);
  const objects: TestObject[] = [readme, keymapObject, keycodesObject];
  const keyboards: CatalogueManifest["keyboards"] = {};
  for (const [name, value] of Object.entries(info)) {
    const object = await testObject(value);
    objects.push(object);
    keyboards[name] = {
      info: object.sha256,
      readme: name === "handwired/qmk_edge_demo" ? readme.sha256 : null,
      default_keymap: name === "handwired/qmk_edge_split/rev1" ? keymapObject.sha256 : null,
    };
  }
  const aliases: Record<string, string> = {};
  if (keyboards["handwired/qmk_edge_split/rev1"])
    aliases["handwired/qmk_edge_split"] = "handwired/qmk_edge_split/rev1";
  const manifest: CatalogueManifest = {
    firmware_version: firmwareVersion,
    last_updated: overrides.lastUpdated ?? "2026-12-02 19:00:00 UTC",
    keyboards,
    aliases,
    keycodes: keycodesObject.sha256,
  };
  return { manifest, objects, info, readme, keycodes };
}

export function putObject(
  agent: Agent,
  object: TestObject,
  headers: Record<string, string> = {},
): Promise<Response> {
  return agent.target.fetch(`/v1/agent/catalogue/objects/${object.sha256}`, {
    method: "PUT",
    headers: agent.auth({
      "content-type": object.contentType,
      "content-length": String(object.bytes.byteLength),
      ...headers,
    }),
    body: object.bytes,
  });
}

export function publishManifest(agent: Agent, manifest: unknown, version?: string): Promise<Response> {
  const v = version ?? (manifest as CatalogueManifest).firmware_version;
  return agent.post(`/v1/agent/catalogue/${v}/publish`, manifest);
}

// missing -> PUT each missing object -> publish; returns the publish answer.
export async function publishCatalogue(
  agent: Agent,
  catalogue: TestCatalogue,
): Promise<CataloguePublishResponse> {
  const query = await agent.post("/v1/agent/catalogue/objects/missing", {
    sha256: catalogue.objects.map((o) => o.sha256),
  });
  expect(query.status).toBe(200);
  const { missing } = (await query.json()) as { missing: string[] };
  for (const object of catalogue.objects.filter((o) => missing.includes(o.sha256))) {
    expect((await putObject(agent, object)).status).toBe(200);
  }
  const res = await publishManifest(agent, catalogue.manifest);
  expect(res.status).toBe(200);
  return (await res.json()) as CataloguePublishResponse;
}
