import { compileRequest } from "@qmk-edge/schema";
import { describe, expect, it } from "vitest";
import { target } from "#test-target";
import { createApp, isInternalPath } from "../app.ts";

const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

type Doc = {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, { required?: string[]; properties?: Record<string, unknown> }> };
};

describe("GET /v1/openapi.json", () => {
  it("describes every public route with schemas generated from the validators", async () => {
    const res = await target.fetch("/v1/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Doc;
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/v1/compile",
        "/v1/compile/{id}",
        "/v1/compile/{id}/download",
        "/v1/compile/{id}/source",
        "/v1",
        "/v1/healthcheck",
        "/v1/keyboard_list.json",
        "/v1/keyboards/{keyboard}/info.json",
        "/v1/keyboards/{keyboard}/readme.md",
        "/v1/keyboards/{keyboard}/keymaps/default",
        "/v1/skeletons/keymap",
      ]),
    );
    expect(doc.paths["/v1/compile"]).toHaveProperty("post");
    const request = doc.components.schemas.CompileRequest!;
    expect(request.required).toEqual(expect.arrayContaining(["keyboard", "keymap", "layout", "layers"]));
    // Every field the validator knows is documented, so the document cannot fall behind the code.
    expect(Object.keys(request.properties ?? {}).sort()).toEqual(
      expect.arrayContaining(Object.keys(compileRequest.shape).sort()),
    );
  });

  it("has every public route of the app's route table, with its method, and no route the app lacks", async () => {
    // The real app's table (Hono's app.routes); its deps are never asked for, no request is served.
    const app = createApp({
      deps: () => {
        throw new Error("the route table is read, not served");
      },
    });
    // Hono's /:id and /:keyboard{.+} are OpenAPI's /{id} and /{keyboard}; middleware is registered as ALL.
    const openApiPath = (path: string) => path.replace(/:([A-Za-z_][A-Za-z0-9_]*)(\{[^}]*\})?/g, "{$1}");
    const routed = app.routes
      .filter((r) => r.method !== "ALL" && !isInternalPath(r.path))
      .map((r) => `${r.method.toLowerCase()} ${openApiPath(r.path)}`);
    expect(routed.length).toBeGreaterThan(10);
    const doc = (await (await target.fetch("/v1/openapi.json")).json()) as Doc;
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((key) => HTTP_METHODS.includes(key))
        .map((method) => `${method} ${path}`),
    );
    expect(
      documented.filter((d) => !routed.includes(d)),
      "documented but not routed",
    ).toEqual([]);
    expect(
      routed.filter((r) => !documented.includes(r)),
      "routed but missing from the OpenAPI document",
    ).toEqual([]);
  });

  it("is not an agent route: no token needed, and other methods are refused as JSON", async () => {
    const res = await target.fetch("/v1/openapi.json", { method: "POST" });
    expect(res.status).toBe(405);
    expect(await res.json()).toMatchObject({ code: 405 });
  });
});
