import { type PublicSchemaName, publicJsonSchemas } from "./json-schema.ts";

// The public API as an OpenAPI 3.1 document, its schemas generated from the same zod schemas the
// service validates with, so the document cannot drift from the code.

const ref = (name: PublicSchemaName) => ({ $ref: `#/components/schemas/${name}` });
const json = (name: PublicSchemaName) => ({ content: { "application/json": { schema: ref(name) } } });
const error = (description: string) => ({ description, ...json("Error") });
const jobId = {
  name: "id",
  in: "path",
  required: true,
  schema: { type: "string", pattern: "^[0-9a-f]{32}$" },
};

const artifact = (what: string, type: string) => ({
  get: {
    summary: `Download the ${what} of a finished job`,
    parameters: [jobId],
    responses: {
      "200": {
        description: `the ${what}; strong ETag (sha256), immutable`,
        content: { [type]: { schema: { type: "string", format: "binary" } } },
      },
      "304": { description: "not modified (If-None-Match)" },
      "400": error("malformed id"),
      "404": error("no such job or artifact"),
      "409": error("the job has not finished"),
    },
  },
});

// Keyboard names hold slashes ("handwired/qmk_edge_demo"); the path template cannot say so, the pattern does.
const keyboard = {
  name: "keyboard",
  in: "path",
  required: true,
  schema: { type: "string", pattern: "^[a-z0-9_-]+(/[a-z0-9_-]+)*$", maxLength: 128 },
};
const CATALOGUE_NOTE = "from the published catalogue of the served firmware version; ETag, max-age=300";

const catalogueRead = (summary: string, ok: Record<string, unknown>, keyed = true) => ({
  get: {
    summary,
    ...(keyed ? { parameters: [keyboard] } : {}),
    responses: {
      "200": { description: CATALOGUE_NOTE, ...ok },
      "304": { description: "not modified (If-None-Match)" },
      ...(keyed ? { "400": error("keyboard name outside QMK's grammar") } : {}),
      "404": error(keyed ? "no catalogue published, or no such keyboard or file" : "no catalogue published"),
    },
  },
});

// Keyboard build health: qmk_api's routes and field names, for the served firmware version unless asked.
const healthRead = (summary: string, schema: Record<string, unknown>, keyed = false) => ({
  get: {
    summary,
    parameters: [
      ...(keyed ? [keyboard] : []),
      { name: "firmware_version", in: "query", required: false, schema: { type: "string", maxLength: 128 } },
    ],
    responses: {
      "200": {
        description: "default-keymap builds by idle agents; max-age=60",
        content: { "application/json": { schema } },
      },
      "400": error("malformed keyboard name or firmware_version"),
      ...(keyed ? { "404": error("the keyboard was not tested on this firmware version") } : {}),
    },
  },
});
const healthEntry = {
  type: "object",
  required: ["works", "last_tested"],
  properties: {
    works: { type: "boolean" },
    last_tested: { type: "integer", description: "Unix seconds" },
    message: { type: "string", description: "the end of the build output" },
  },
};

export function openApiDocument(version: string): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "qmk-edge compile API",
      version,
      description:
        "QMK Compile API v1 compatible: POST a QMK Configurator keymap, poll the job, download the firmware.",
    },
    paths: {
      "/v1/compile": {
        post: {
          summary: "Enqueue a compile job (answered at once from the build cache for a request built before)",
          requestBody: { required: true, ...json("CompileRequest") },
          responses: {
            "200": { description: "accepted", ...json("CompileEnqueued") },
            "400": error("unreadable body (JSON, UTF-8, nesting)"),
            "413": error("body over 256 KiB"),
            "415": error("not application/json"),
            "422": error("invalid fields; `errors[].path` names each"),
            "429": error("rate limited; see Retry-After"),
          },
        },
      },
      "/v1/compile/{id}": {
        get: {
          summary: "A job's status and, once it ended, its result",
          parameters: [jobId],
          responses: {
            "200": { description: "status", ...json("CompileStatus") },
            "400": error("malformed id"),
            "404": error("no such job"),
          },
        },
      },
      "/v1/compile/{id}/download": artifact("firmware", "application/octet-stream"),
      "/v1/compile/{id}/hex": artifact("firmware (deprecated name)", "application/octet-stream"),
      "/v1/compile/{id}/source": artifact("source zip", "application/zip"),
      "/v1/compile/{id}/keymap": artifact("keymap JSON", "application/json"),
      "/v1/compile/{id}/log": artifact("build log", "text/plain"),
      "/v1/compile/{id}/tree": artifact(
        "whole firmware tree (zip) the source zip goes over",
        "application/zip",
      ),
      "/v1/keyboard_list.json": catalogueRead("Every keyboard of the catalogue", json("KeyboardList"), false),
      "/v1/keyboards/{keyboard}/info.json": catalogueRead(
        "A keyboard's resolved info (an alias answers under its own name)",
        json("KeyboardInfo"),
      ),
      "/v1/keyboards/{keyboard}/readme.md": catalogueRead("A keyboard's readme", {
        content: { "text/markdown": { schema: { type: "string" } } },
      }),
      "/v1/keyboards/{keyboard}/keymaps/default": catalogueRead("A keyboard's default keymap.json", {
        content: { "application/json": { schema: { type: "object" } } },
      }),
      "/v1/keyboards/build_status": healthRead("Whether each tested keyboard's default keymap builds", {
        type: "object",
        additionalProperties: { type: "boolean" },
      }),
      "/v1/keyboards/build_log": healthRead("Each tested keyboard's last build, with its message", {
        type: "object",
        additionalProperties: healthEntry,
      }),
      "/v1/keyboards/build_summary": healthRead("Each tested keyboard's last build, without the message", {
        type: "object",
        additionalProperties: healthEntry,
      }),
      "/v1/keyboards/{keyboard}/build_log": healthRead("One keyboard's last build", healthEntry, true),
      "/v1/keyboards/error_log": healthRead("One error per keyboard whose default keymap did not build", {
        type: "array",
        items: {
          type: "object",
          properties: {
            severity: { type: "string" },
            keyboard: { type: "string" },
            message: { type: "string" },
          },
        },
      }),
      // QMK Configurator's Load Default path, on the origin it is served from (issue 18).
      "/keymaps/{letter}/{file}": {
        get: {
          summary:
            "A keyboard's default keymap at QMK Configurator's own path: keymaps/<first letter>/<keyboard with / as _>_default.json",
          parameters: [
            { name: "letter", in: "path", required: true, schema: { type: "string", pattern: "^[a-z0-9]$" } },
            {
              name: "file",
              in: "path",
              required: true,
              schema: { type: "string", pattern: "^[a-z0-9_]+_default\\.json$" },
            },
          ],
          responses: {
            "200": {
              description: `${CATALOGUE_NOTE}; {keyboard, keymap: "default", layout, layers, ...}, or the static file of the web app served beside the API`,
              content: { "application/json": { schema: { type: "object" } } },
            },
            "304": { description: "not modified (If-None-Match)" },
            "404": error("no default keymap for that keyboard"),
          },
        },
      },
      "/v1/skeletons/keymap": {
        get: {
          summary: "The template of a compile request (QMK Configurator fills it in)",
          responses: { "200": { description: "the skeleton", ...json("KeymapSkeleton") } },
        },
      },
      "/v1": {
        get: {
          summary: "Service status",
          responses: { "200": { description: "status", ...json("ServiceStatus") } },
        },
      },
      "/v1/healthcheck": {
        get: {
          summary: "Service status",
          responses: { "200": { description: "status", ...json("ServiceStatus") } },
        },
      },
      "/v1/openapi.json": {
        get: {
          summary: "This document",
          responses: {
            "200": {
              description: "the OpenAPI 3.1 document of the public API; max-age=300",
              content: { "application/json": { schema: { type: "object" } } },
            },
          },
        },
      },
    },
    components: { schemas: publicJsonSchemas() },
  };
}
