import { z } from "zod";
import { keyboardInfoResponse, keyboardListResponse, keymapSkeleton } from "./catalogue.ts";
import { compileRequest } from "./compile-request.ts";
import { compileEnqueued, compileStatus, errorBody, serviceStatus } from "./v1.ts";

// The public request and responses by the names the OpenAPI document (openapi.ts) gives them.
const PUBLIC_SCHEMAS = {
  CompileRequest: compileRequest,
  CompileEnqueued: compileEnqueued,
  CompileStatus: compileStatus,
  ServiceStatus: serviceStatus,
  KeyboardList: keyboardListResponse,
  KeyboardInfo: keyboardInfoResponse,
  KeymapSkeleton: keymapSkeleton,
  Error: errorBody,
};
export type PublicSchemaName = keyof typeof PUBLIC_SCHEMAS;

// JSON Schema of each, as a client sends or receives it.
export function publicJsonSchemas(): Record<PublicSchemaName, Record<string, unknown>> {
  const out = {} as Record<PublicSchemaName, Record<string, unknown>>;
  for (const [name, schema] of Object.entries(PUBLIC_SCHEMAS) as Array<[PublicSchemaName, z.ZodType]>) {
    out[name] = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  }
  return out;
}
