import type { z } from "zod";
import type { FieldError } from "./v1.ts";

type Issue = z.core.$ZodIssue;

const joinPath = (path: readonly PropertyKey[]) => path.map(String).join(".");

const rootTypeMismatch = (issues: readonly Issue[]) =>
  issues.find((i) => i.code === "invalid_type" && i.path.length === 0);

// A failed union ("a string or an action object") says only "Invalid input". When the value's type picked
// one option, that option's own issues are what the client needs; when none, which types would have done.
function unionErrors(
  issue: Extract<Issue, { code: "invalid_union" }>,
  path: PropertyKey[],
): FieldError[] | null {
  const options = issue.errors;
  if (options.length === 0) return null;
  const matched = options.filter((option) => !rootTypeMismatch(option));
  if (matched.length === 1) return matched[0]!.flatMap((i) => flatten(i, path));
  if (matched.length > 0) return null;
  const expected = [
    ...new Set(options.map((option) => (rootTypeMismatch(option) as { expected: string }).expected)),
  ];
  const received = /received (\w+)$/.exec(rootTypeMismatch(options[0]!)!.message)?.[1];
  const message = `Invalid input: expected ${expected.join(" or ")}${received ? `, received ${received}` : ""}`;
  return [{ path: joinPath(path), message }];
}

function flatten(issue: Issue, prefix: PropertyKey[]): FieldError[] {
  const path = [...prefix, ...issue.path];
  const fromUnion = issue.code === "invalid_union" ? unionErrors(issue, path) : null;
  return fromUnion ?? [{ path: joinPath(path), message: issue.message }];
}

// zod issues as the `errors` array of an error body: `path` is dotted ("layers.2.17"), "" for the root.
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue) => flatten(issue, []));
}
