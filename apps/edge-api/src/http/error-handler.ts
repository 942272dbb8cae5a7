import type { ErrorBody, FieldError } from "@qmk-edge/schema";
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ZodError } from "zod";
import type { AppEnv } from "../deps.ts";
import {
  LeaseLostError,
  NotFoundError,
  StateConflictError,
  StoredRecordError,
  UnavailableError,
} from "../jobs/errors.ts";
import { BlobSizeError, DigestMismatchError } from "../ports/blob-store.ts";
import { isClientHangUp } from "./client-hang-up.ts";
import {
  BodyTooLargeError,
  ForbiddenError,
  InvalidInputError,
  MalformedRequestError,
  RateLimitedError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
} from "./request-errors.ts";

// The one place errors become HTTP answers: `{ code, message, errors? }`, QMK API v1's shape plus field paths.
// 400 = unreadable input (bad JSON, malformed ids), 422 = readable input that breaks a rule (see request-errors.ts).

export interface Mapped {
  status: ContentfulStatusCode;
  message: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
}

export function mapError(err: unknown): Mapped | null {
  if (err instanceof InvalidInputError) return { status: 422, message: err.message, errors: err.errors };
  if (err instanceof MalformedRequestError) {
    return { status: 400, message: err.message, ...(err.errors.length ? { errors: err.errors } : {}) };
  }
  if (err instanceof BodyTooLargeError || err instanceof BlobSizeError)
    return { status: 413, message: err.message };
  if (err instanceof UnsupportedMediaTypeError) return { status: 415, message: err.message };
  if (err instanceof UnauthorizedError) {
    return {
      status: 401,
      message: err.message,
      headers: { "WWW-Authenticate": 'Bearer realm="qmk-edge agents"' },
    };
  }
  if (err instanceof RateLimitedError) {
    return { status: 429, message: err.message, headers: { "Retry-After": String(err.retryAfterSeconds) } };
  }
  if (err instanceof NotFoundError) return { status: 404, message: err.message };
  if (err instanceof StateConflictError) {
    return { status: 409, message: err.message, ...(err.errors.length ? { errors: err.errors } : {}) };
  }
  if (err instanceof LeaseLostError) return { status: 409, message: err.message };
  if (err instanceof ForbiddenError) return { status: 403, message: err.message };
  if (err instanceof UnavailableError)
    return { status: 503, message: err.message, headers: { "Retry-After": "5" } };
  if (err instanceof DigestMismatchError) {
    return {
      status: 422,
      message: "the uploaded bytes do not match their announced sha256",
      errors: [{ path: "x-artifact-sha256", message: err.message }],
    };
  }
  if (err instanceof ZodError) {
    return {
      status: 422,
      message: "invalid input",
      errors: err.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
    };
  }
  if (err instanceof HTTPException)
    return { status: err.status as ContentfulStatusCode, message: err.message };
  return null;
}

export function errorResponse(c: Context, mapped: Mapped): Response {
  const body: ErrorBody = { code: mapped.status, message: mapped.message };
  if (mapped.errors) body.errors = mapped.errors;
  return c.json(body, mapped.status, mapped.headers);
}

export const errorHandler: ErrorHandler<AppEnv> = (err, c) => {
  const mapped = mapError(err);
  if (mapped) return errorResponse(c, mapped);
  if (err instanceof StoredRecordError) {
    // The store holds something the server cannot read: a server fault, never the client's (500).
    console.error(`stored record unreadable on ${c.req.method} ${c.req.path}:`, err.message);
    return errorResponse(c, { status: 500, message: "a stored record could not be read" });
  }
  if (isClientHangUp(err)) {
    console.warn(`client hung up during ${c.req.method} ${c.req.path} (${(err as Error).message})`);
    return errorResponse(c, { status: 400, message: "the request broke off before its body arrived" });
  }
  console.error(`unhandled error on ${c.req.method} ${c.req.path}:`, err);
  return errorResponse(c, { status: 500, message: "internal error" });
};

export const notFoundHandler: NotFoundHandler<AppEnv> = (c) =>
  errorResponse(c, { status: 404, message: `no route for ${c.req.method} ${c.req.path}` });

export const methodNotAllowedHandler = (c: Context, allowed: string[]) =>
  errorResponse(c, {
    status: 405,
    message: `${c.req.method} is not allowed here; use ${allowed.join(", ")}`,
    headers: { Allow: allowed.join(", ") },
  });
