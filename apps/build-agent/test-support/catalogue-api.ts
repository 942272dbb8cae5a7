import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  CATALOGUE_LIMITS,
  CATALOGUE_OBJECT_CONTENT_TYPES,
  catalogueManifest,
  catalogueMissingRequest,
} from "@qmk-edge/schema";

// A loopback HTTP server that answers the catalogue part of the agent protocol as the contract says
// (issue 12), and records every request: for testing the agent's use of the protocol through its real
// HTTP client, while the API's own routes are built and tested elsewhere. It checks what the API will:
// the bearer token, digests, sizes, content types, and that a manifest names only stored objects.

export interface Recorded {
  method: string;
  path: string;
  contentType?: string;
  status: number;
}

export interface CatalogueApi {
  url: string;
  objects: Map<string, { bytes: Buffer; contentType: string }>;
  manifests: Map<string, Buffer>;
  current: Map<string, string>; // version -> manifest digest
  requests: Recorded[];
  maxConcurrentPuts: number;
  // Answers the next `times` requests matching method and path prefix with `status`.
  fail(method: string, pathPrefix: string, status: number, times: number): void;
  close(): Promise<void>;
}

export const TRUSTED_TOKEN = "trusted-agent-token-0123456789";
export const COMMUNITY_TOKEN = "community-agent-token-0123456789";

const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}
// Answers an error body in the API's shape and returns its status, for the request log.
function error(res: ServerResponse, status: number, message: string, path = ""): number {
  send(res, status, { code: status, message, errors: path ? [{ path, message }] : [] });
  return status;
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

// `holdPutMs`: how long each upload is held open, so that uploads the agent runs at once overlap here.
export async function startCatalogueApi(opts: { holdPutMs?: number } = {}): Promise<CatalogueApi> {
  const api: Omit<CatalogueApi, "url" | "close"> & {
    failures: Array<{ method: string; prefix: string; status: number; left: number }>;
  } = {
    objects: new Map(),
    manifests: new Map(),
    current: new Map(),
    requests: [],
    maxConcurrentPuts: 0,
    failures: [],
    fail(method, prefix, status, times) {
      this.failures.push({ method, prefix, status, left: times });
    },
  };
  let puts = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<number> => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const method = req.method ?? "GET";
    const bytes = await body(req);
    const failure = api.failures.find((f) => f.left > 0 && f.method === method && path.startsWith(f.prefix));
    if (failure) {
      failure.left--;
      error(res, failure.status, "injected failure");
      return failure.status;
    }
    const auth = req.headers.authorization;
    if (auth !== `Bearer ${TRUSTED_TOKEN}` && auth !== `Bearer ${COMMUNITY_TOKEN}`) {
      error(res, 401, "unknown agent token");
      return 401;
    }
    // No jobs here: a lease poll waits a little and finds none, so a whole agent process can run.
    if (method === "POST" && path === "/v1/agent/lease") {
      await new Promise((r) => setTimeout(r, 200));
      res.writeHead(204).end();
      return 204;
    }
    if (auth === `Bearer ${COMMUNITY_TOKEN}`) {
      error(res, 403, "community agent tokens may not publish the catalogue");
      return 403;
    }
    if (method === "POST" && path === "/v1/agent/catalogue/objects/missing") {
      const parsed = catalogueMissingRequest.safeParse(JSON.parse(bytes.toString("utf8") || "null"));
      if (!parsed.success) return error(res, 400, "bad missing request", "sha256");
      send(res, 200, { missing: parsed.data.sha256.filter((d) => !api.objects.has(d)) });
      return 200;
    }
    const object = /^\/v1\/agent\/catalogue\/objects\/([0-9a-f]{64})$/.exec(path);
    if (method === "PUT" && object) {
      const type = req.headers["content-type"] ?? "";
      if (!(CATALOGUE_OBJECT_CONTENT_TYPES as readonly string[]).includes(type))
        return error(res, 415, `content type ${type}`);
      if (req.headers["content-length"] === undefined) return error(res, 411, "Content-Length required");
      if (bytes.length > CATALOGUE_LIMITS.objectBytes) return error(res, 413, "too large");
      if (sha256(bytes) !== object[1]) return error(res, 422, "digest mismatch", "sha256");
      puts++;
      api.maxConcurrentPuts = Math.max(api.maxConcurrentPuts, puts);
      await new Promise((r) => setTimeout(r, opts.holdPutMs ?? 2));
      puts--;
      if (!api.objects.has(object[1]!)) api.objects.set(object[1]!, { bytes, contentType: type });
      send(res, 200, { sha256: object[1] });
      return 200;
    }
    const publish = /^\/v1\/agent\/catalogue\/([^/]+)\/publish$/.exec(path);
    if (method === "POST" && publish) {
      const parsed = catalogueManifest.safeParse(JSON.parse(bytes.toString("utf8") || "null"));
      if (!parsed.success) return error(res, 400, parsed.error.message);
      const m = parsed.data;
      if (m.firmware_version !== decodeURIComponent(publish[1]!))
        return error(res, 400, "version differs from the path", "firmware_version");
      const named = [
        m.keycodes,
        ...Object.values(m.keyboards).flatMap((e) => [e.info, e.readme, e.default_keymap]),
      ];
      const missing = named.filter((d): d is string => d !== null && !api.objects.has(d));
      if (missing.length > 0) {
        send(res, 409, { code: 409, message: "objects missing", missing: missing.slice(0, 20) });
        return 409;
      }
      const digest = sha256(bytes);
      api.manifests.set(digest, bytes);
      api.current.set(m.firmware_version, digest);
      send(res, 200, {
        firmware_version: m.firmware_version,
        manifest: digest,
        keyboards: Object.keys(m.keyboards).length,
      });
      return 200;
    }
    error(res, 404, `no route ${method} ${path}`);
    return 404;
  };

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const contentType = req.headers["content-type"];
    handle(req, res).then(
      (status) => api.requests.push({ method: req.method ?? "", path, contentType, status }),
      (err) => {
        error(res, 500, String(err));
        api.requests.push({ method: req.method ?? "", path, contentType, status: 500 });
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(api, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
