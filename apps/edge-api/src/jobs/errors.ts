import type { FieldError } from "@qmk-edge/schema";

// Failures a caller can act on; http/error-handler.ts maps each to one HTTP status.

export class NotFoundError extends Error {
  override name = "NotFoundError";
}

// The lease is unknown, expired, or belongs to another attempt: the agent must abandon the job (409).
export class LeaseLostError extends Error {
  override name = "LeaseLostError";
}

// The request is well-formed but the job (or catalogue) is not in a state that allows it (409); `errors`
// names what is missing when there is something to name.
export class StateConflictError extends Error {
  override name = "StateConflictError";
  readonly errors: FieldError[];
  constructor(message: string, errors: FieldError[] = []) {
    super(message);
    this.errors = errors;
  }
}

// A dependency (queue, store) is unavailable; the client may retry (503).
export class UnavailableError extends Error {
  override name = "UnavailableError";
}

// A record read back from storage fails its schema or is not JSON: the store is damaged, not the request (500).
export class StoredRecordError extends Error {
  override name = "StoredRecordError";
}
