import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { Readable } from "node:stream";
import type { StaticFiles } from "../../ports/static-files.ts";

// The files a web app build consists of; anything else is sent as bytes.
const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".webmanifest": "application/manifest+json",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/markdown; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".gif": "image/gif",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
  ".ttf": "font/ttf",
  ".wasm": "application/wasm",
};

// STATIC_DIR on Node: files under one directory, by URL path. A path is decoded once and must stay inside the
// directory after symlinks are followed; dot segments and dotfiles are never served.
export class DirStaticFiles implements StaticFiles {
  readonly #root: string;
  #realRoot: Promise<string> | null = null;

  constructor(root: string) {
    this.#root = resolve(root);
  }

  async serve(request: Request): Promise<Response | null> {
    if (request.method !== "GET" && request.method !== "HEAD") return null;
    const file = await this.#locate(new URL(request.url).pathname);
    if (!file) return null;
    const headers = {
      "Content-Type": CONTENT_TYPES[extname(file.path).toLowerCase()] ?? "application/octet-stream",
      "Content-Length": String(file.size),
      // index.html names the hashed bundles of one build: always revalidated; the rest briefly cached.
      "Cache-Control": file.path.endsWith(".html") ? "no-cache" : "public, max-age=300",
      "X-Content-Type-Options": "nosniff",
    };
    if (request.method === "HEAD") return new Response(null, { headers });
    const body = Readable.toWeb(createReadStream(file.path)) as ReadableStream<Uint8Array>;
    return new Response(body, { headers });
  }

  async #locate(pathname: string): Promise<{ path: string; size: number } | null> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return null;
    }
    const segments = decoded.split("/").filter((s) => s !== "");
    if (segments.some((s) => s.startsWith(".") || s.includes("\\") || s.includes("\0"))) return null;
    this.#realRoot ??= realpath(this.#root);
    const root = await this.#realRoot.catch(() => null);
    if (!root) return null;
    for (const candidate of [join(root, ...segments), join(root, ...segments, "index.html")]) {
      try {
        const real = await realpath(candidate);
        if (!real.startsWith(root + sep)) continue;
        const info = await stat(real);
        if (info.isFile()) return { path: real, size: info.size };
      } catch {
        // Not there: try the next candidate.
      }
    }
    return null;
  }
}
