import type { z } from "zod";
import { StoredRecordError } from "./errors.ts";

// Reads a record back from storage (a blob, a Durable Object's SQLite row) with its schema. A failure is
// the store's fault, so it becomes a StoredRecordError (500) rather than a ZodError that blames the client.
export function parseStored<T extends z.ZodType>(schema: T, text: string, what: string): z.infer<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new StoredRecordError(`${what} is not JSON`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StoredRecordError(
      `${what} fails its schema at ${issue?.path.join(".") || "(root)"}: ${issue?.message}`,
    );
  }
  return parsed.data;
}
