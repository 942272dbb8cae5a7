// Request bodies on Node read straight from the IncomingMessage (http/request-body.ts DIRECT_BODY): the
// Request, Readable.toWeb and ReadableStream that @hono/node-server builds for `request.body` cost more CPU
// than the read itself on a small POST. Same rules as the web stream: the bytes are counted as they arrive
// and refused once past the limit; the rest of a refused body is left paused for @hono/node-server, which
// drains it after the answer, as it does for a web stream read no further.
import type { Readable } from "node:stream";
import { concatBytes } from "../bytes/concat-bytes.ts";
import { DIRECT_BODY, type DirectBodyReader } from "../http/request-body.ts";

export function attachIncomingBody(request: Request, incoming: Readable): Request {
  if (request.method === "GET" || request.method === "HEAD") return request;
  let taken = false;
  const reader: DirectBodyReader = (maxBytes, tooLarge) => {
    // Read once, from the start; anything else (read before, ended, broken) goes the web stream's way.
    if (taken || incoming.readableDidRead || incoming.readableEnded || incoming.destroyed) return null;
    taken = true;
    return readIncoming(incoming, maxBytes, tooLarge);
  };
  (request as { [DIRECT_BODY]?: DirectBodyReader })[DIRECT_BODY] = reader;
  return request;
}

function readIncoming(incoming: Readable, maxBytes: number, tooLarge: () => Error): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let total = 0;
    const stop = () => {
      incoming.off("data", onData);
      incoming.off("end", onEnd);
      incoming.off("error", onError);
      incoming.off("close", onClose);
    };
    const onData = (chunk: Buffer) => {
      total += chunk.byteLength;
      if (total > maxBytes) {
        stop();
        incoming.pause();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(concatBytes(chunks, total));
    };
    // A client that hangs up mid-body: Node errors the message with ECONNRESET "aborted" (client-hang-up.ts).
    const onError = (err: Error) => {
      stop();
      reject(err);
    };
    const onClose = () => {
      stop();
      reject(Object.assign(new Error("aborted"), { code: "ECONNRESET" }));
    };
    incoming.on("data", onData);
    incoming.on("end", onEnd);
    incoming.on("error", onError);
    incoming.on("close", onClose);
  });
}
