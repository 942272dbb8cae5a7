import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { ErrorBody } from "@qmk-edge/schema";

// Errors Node's HTTP parser raises before a request reaches the app (a body cut short by the client's FIN,
// malformed request lines, oversized headers). Node's default answer is a bare `400` with no body; the API
// promises JSON for every error, so the same answer is written as `{ code, message }` here.

function answerFor(code: string | undefined): { status: number; reason: string; message: string } {
  if (code === "HPE_INVALID_EOF_STATE") {
    return { status: 400, reason: "Bad Request", message: "request body ended before its Content-Length" };
  }
  if (code === "HPE_HEADER_OVERFLOW") {
    return { status: 431, reason: "Request Header Fields Too Large", message: "request headers too large" };
  }
  return { status: 400, reason: "Bad Request", message: "malformed HTTP request" };
}

export function answerClientErrorsWithJson(server: Server): void {
  // The response in progress on each connection: an error answer must never cut into one already started.
  const inFlight = new WeakMap<Duplex, ServerResponse>();
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    inFlight.set(req.socket, res);
    res.once("close", () => {
      if (inFlight.get(req.socket) === res) inFlight.delete(req.socket);
    });
  });
  server.on("clientError", (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (socket.writable && !inFlight.get(socket)?.headersSent && err.code !== "ECONNRESET") {
      const { status, reason, message } = answerFor(err.code);
      const body = JSON.stringify({ code: status, message } satisfies ErrorBody);
      socket.write(
        `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy();
  });
}
