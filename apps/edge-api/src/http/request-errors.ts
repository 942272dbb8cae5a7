import type { FieldError } from "@qmk-edge/schema";

// Failures of the request itself; http/error-handler.ts maps each to one HTTP status.
// 400: the bytes cannot be read as what the route expects (malformed JSON, a malformed id in the URL).
// 422: well-formed input whose fields break the rules (schema, keycode grammar, headers); `errors` names them.

export class MalformedRequestError extends Error {
  override name = "MalformedRequestError";
  readonly errors: FieldError[];
  constructor(message: string, errors: FieldError[] = []) {
    super(message);
    this.errors = errors;
  }
}

export class InvalidInputError extends Error {
  override name = "InvalidInputError";
  readonly errors: FieldError[];
  constructor(message: string, errors: FieldError[]) {
    super(message);
    this.errors = errors;
  }
}

export class BodyTooLargeError extends Error {
  override name = "BodyTooLargeError";
}

export class UnsupportedMediaTypeError extends Error {
  override name = "UnsupportedMediaTypeError";
}

export class UnauthorizedError extends Error {
  override name = "UnauthorizedError";
}

// An authenticated caller whose token may not do this (a community agent token on a trusted-only route).
export class ForbiddenError extends Error {
  override name = "ForbiddenError";
}

export class RateLimitedError extends Error {
  override name = "RateLimitedError";
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number) {
    super(`too many compile requests; retry in ${retryAfterSeconds} s`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
