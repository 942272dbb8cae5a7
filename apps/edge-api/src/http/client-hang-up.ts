// A client that closed its connection while its request body was still arriving: not a server fault and
// nothing to debug, so the error handler logs one line for it (no stack) and answers 400 to nobody.
const HANG_UP_CODES = new Set(["ECONNRESET", "ECONNABORTED", "EPIPE", "ERR_STREAM_PREMATURE_CLOSE"]);

export function isClientHangUp(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as Error & { code?: unknown }).code;
    if (
      (typeof code === "string" && HANG_UP_CODES.has(code)) ||
      e.message === "aborted" ||
      /Network connection lost/.test(e.message)
    )
      return true;
  }
  return false;
}
