import type { z } from "zod";
import type { FieldError } from "./v1.ts";

// zod issues as the `errors` array of an error body: `path` is dotted ("layers.2.17"), "" for the root.
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
}
