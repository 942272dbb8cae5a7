// What the API's answers mean to the agent: one error type per answer a caller acts on differently.

export class ApiError extends Error {
  override name = "ApiError";
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}
// 401: the agent token is wrong or revoked; nothing will work until an operator fixes it.
export class UnauthorizedError extends ApiError {
  override name = "UnauthorizedError";
}
// 409: this agent no longer holds the job's lease (expired and re-leased, or completed elsewhere).
export class LeaseLostError extends ApiError {
  override name = "LeaseLostError";
}
// 413: the artifact is larger than the API accepts.
export class PayloadTooLargeError extends ApiError {
  override name = "PayloadTooLargeError";
}
// A 2xx answer whose body does not match the protocol schema (an API newer or older than this agent).
export class ProtocolError extends ApiError {
  override name = "ProtocolError";
}
// Network errors or 5xx on every attempt.
export class ApiUnavailableError extends Error {
  override name = "ApiUnavailableError";
}

// The typed error of a non-2xx answer that is not worth retrying.
export function errorFor(status: number, message: string): ApiError {
  if (status === 401) return new UnauthorizedError(status, message);
  if (status === 409) return new LeaseLostError(status, message);
  if (status === 413) return new PayloadTooLargeError(status, message);
  return new ApiError(status, message);
}
