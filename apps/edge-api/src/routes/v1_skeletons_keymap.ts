import type { KeymapSkeleton } from "@qmk-edge/schema";
import { sha256Hex } from "../bytes/sha256-hex.ts";
import { catalogueResponse } from "../catalogue/catalogue-response.ts";
import type { Route } from "../http/route.ts";

const SKELETON: KeymapSkeleton = {
  version: 1,
  notes: "",
  documentation:
    "This file is a keymap.json for QMK firmware, as QMK Configurator exports it. " +
    "POST it to /v1/compile of this API to build it, or build it in a QMK tree with `qmk compile <file>`.",
  keyboard: null,
  keymap: null,
  layout: null,
  layers: [],
  author: "",
};
const BODY = JSON.stringify(SKELETON);
let etag: Promise<string> | null = null;

// GET /v1/skeletons/keymap: the template Configurator fills in for every compile request it sends.
export const v1SkeletonsKeymap: Route = {
  method: "GET",
  path: "/v1/skeletons/keymap",
  handler: async (c) => {
    etag ??= sha256Hex(BODY);
    return catalogueResponse(c, { etag: await etag, contentType: "application/json", body: BODY });
  },
};
