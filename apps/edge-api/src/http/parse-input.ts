import { fieldErrors, jobId } from "@qmk-edge/schema";
import type { z } from "zod";
import { InvalidInputError, MalformedRequestError } from "./request-errors.ts";

// Input that passed syntax checks, validated against its schema: 422 with every field at fault.
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new InvalidInputError(`invalid ${what}`, fieldErrors(parsed.error));
  return parsed.data;
}

// A job id from the URL: anything but 32 lower-case hex characters is malformed (400), never looked up.
// A well-formed id (every status poll's) is told by the regex alone; only the rest goes through the schema,
// which stays the rule (a parse through zod cost about a microsecond a poll).
const WELL_FORMED_JOB_ID = /^[0-9a-f]{32}$/;
export function parseJobId(value: string | undefined): string {
  if (value !== undefined && value.length === 32 && WELL_FORMED_JOB_ID.test(value)) return value;
  if (value === undefined || !jobId.safeParse(value).success) {
    throw new MalformedRequestError("malformed job id: expected 32 lower-case hex characters", [
      { path: "id", message: "32 lower-case hex characters" },
    ]);
  }
  return value;
}
