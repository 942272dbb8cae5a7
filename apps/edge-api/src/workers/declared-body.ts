// Request bodies on Workers with a Content-Length read in one native call (http/request-body.ts DIRECT_BODY):
// reading a small POST through its web stream's reader, chunk by chunk in JavaScript, cost the Worker more
// than the agent calls' whole JSON parse. readBodyBytes has already refused a declared length past its limit,
// and the runtime delivers no more bytes than declared, so the count it keeps on a stream holds here too. A
// body without a length (chunked) still goes through the stream, counted as it arrives.
import { DIRECT_BODY, type DirectBodyReader } from "../http/request-body.ts";

export function attachDeclaredBody(request: Request): Request {
  if (request.method === "GET" || request.method === "HEAD") return request;
  const reader: DirectBodyReader = (maxBytes, tooLarge) => {
    if (request.bodyUsed || request.headers.get("content-length") === null) return null;
    // The limit checked once more on what arrived, should a runtime ever deliver past the declared length.
    return request.arrayBuffer().then((bytes) => {
      if (bytes.byteLength > maxBytes) throw tooLarge();
      return new Uint8Array(bytes);
    });
  };
  (request as { [DIRECT_BODY]?: DirectBodyReader })[DIRECT_BODY] = reader;
  return request;
}
