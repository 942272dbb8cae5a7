// A fetch over node:http that sends exactly the headers it is given (fetch fixes Content-Length and Host itself),
// so tests can talk to the Node API the way any HTTP client could, hostile ones included. With `loopback`,
// every host name connects to 127.0.0.1: virtual-host S3 URLs (<bucket>.s3.qmk-edge.test) reach the local gateway.
import { request as httpRequest, type IncomingMessage } from "node:http";
import type { LookupFunction } from "node:net";
import { Readable } from "node:stream";

export interface HttpFetchInit {
  method?: string;
  headers?: ConstructorParameters<typeof Headers>[0];
  body?: string | Uint8Array | ReadableStream<Uint8Array> | null;
  signal?: AbortSignal | null;
  loopback?: boolean;
}

const toLoopback: LookupFunction = (_host, options, callback) => {
  if (options.all) callback(null, [{ address: "127.0.0.1", family: 4 }]);
  else callback(null, "127.0.0.1", 4);
};

export function httpFetch(url: string | URL, init: HttpFetchInit = {}): Promise<Response> {
  const target = new URL(url);
  const method = (init.method ?? "GET").toUpperCase();
  const headers = new Headers(init.headers);
  const raw = init.body ?? null;
  const bytes = typeof raw === "string" ? Buffer.from(raw, "utf8") : raw instanceof Uint8Array ? raw : null;
  if (bytes && !headers.has("content-length") && !headers.has("transfer-encoding")) {
    headers.set("content-length", String(bytes.byteLength));
  }
  const declared = headers.has("content-length") ? Number(headers.get("content-length")) : null;
  const outgoing: Record<string, string> = {};
  headers.forEach((value, name) => {
    outgoing[name] = value;
  });

  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method,
        headers: outgoing,
        ...(init.loopback ? { lookup: toLoopback } : {}),
        ...(init.signal ? { signal: init.signal } : {}),
      },
      (res) => resolve(toResponse(res, method)),
    );
    req.on("error", reject);
    if (bytes) {
      req.end(bytes);
      // Fewer bytes than announced: close our side so the server sees the body end early, as a dropped
      // client would make it.
      if (declared !== null && bytes.byteLength < declared) req.once("finish", () => req.socket?.end());
    } else if (raw instanceof ReadableStream) {
      Readable.fromWeb(raw as import("node:stream/web").ReadableStream<Uint8Array>)
        .once("error", (err) => req.destroy(err))
        .pipe(req);
    } else {
      req.end();
    }
  });
}

// Adapter for S3BlobStore's `fetch` option: sends a signed Request through httpFetch.
export function httpTransport(options: { loopback?: boolean } = {}) {
  return (request: Request): Promise<Response> =>
    httpFetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: request.signal,
      loopback: options.loopback ?? false,
    });
}

function toResponse(res: IncomingMessage, method: string): Response {
  const headers = new Headers();
  for (let i = 0; i < res.rawHeaders.length; i += 2)
    headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
  const status = res.statusCode ?? 0;
  const empty = method === "HEAD" || status === 204 || status === 304;
  if (empty) res.resume();
  const body = empty ? null : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>);
  return new Response(body, { status, statusText: res.statusMessage ?? "", headers });
}
