import { ApiError } from "./api-client.ts";

// How any failure reads on stderr: the API's own message and field errors, or the cause, never a stack.
export function explain(err: unknown): string {
  if (err instanceof ApiError) {
    const fields = (err.body?.errors ?? []).map((e) =>
      e.path ? `  ${e.path}: ${e.message}` : `  ${e.message}`,
    );
    return [`the API answered ${err.status}: ${err.message}`, ...fields].join("\n");
  }
  if (err instanceof TypeError && err.message === "fetch failed") {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return `cannot reach the API (${cause?.code ?? cause?.message ?? "network error"})`;
  }
  return err instanceof Error ? err.message : String(err);
}
