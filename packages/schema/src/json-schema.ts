import { z } from "zod";
import { compileRequest } from "./compile-request.ts";
import { compileEnqueued, compileStatus, errorBody, serviceStatus } from "./v1.ts";

// JSON Schema of the public request and responses, the base of the OpenAPI document.
export function publicJsonSchemas(): Record<string, unknown> {
  const shapes = { compileRequest, compileEnqueued, compileStatus, serviceStatus, errorBody };
  return Object.fromEntries(
    Object.entries(shapes).map(([name, schema]) => [
      name,
      z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }),
    ]),
  );
}
