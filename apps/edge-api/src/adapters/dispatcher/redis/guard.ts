import { LeaseLostError, NotFoundError, StateConflictError, UnavailableError } from "../../../jobs/errors.ts";

const DOMAIN_ERRORS = [LeaseLostError, NotFoundError, StateConflictError, UnavailableError];

// Redis being unreachable is a 503 the caller may retry, not a 500.
export async function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (DOMAIN_ERRORS.some((E) => err instanceof E)) throw err;
    if (err instanceof Error && isRedisFailure(err)) {
      throw new UnavailableError(`redis: ${err.message}`, { cause: err });
    }
    throw err;
  }
}

function isRedisFailure(err: Error): boolean {
  return (
    err.name === "MaxRetriesPerRequestError" ||
    /Connection is closed|Stream isn't writeable|ECONNREFUSED|ECONNRESET|EPIPE|LOADING|NOGROUP|READONLY/.test(
      err.message,
    )
  );
}
