import type { ResponseCache } from "../../ports/response-cache.ts";

// The Workers Cache API (caches.default) under a private host name, written in the background (waitUntil).
export class WorkersResponseCache implements ResponseCache {
  readonly #cache: Cache;
  readonly #waitUntil: (promise: Promise<unknown>) => void;

  constructor(cache: Cache, waitUntil: (promise: Promise<unknown>) => void) {
    this.#cache = cache;
    this.#waitUntil = waitUntil;
  }

  #url(key: string) {
    return `https://response-cache.qmk-edge.internal/${key}`;
  }

  async match(key: string): Promise<Response | null> {
    return (await this.#cache.match(this.#url(key))) ?? null;
  }

  put(key: string, response: Response): void {
    this.#waitUntil(
      this.#cache
        .put(this.#url(key), response)
        .catch((err) => console.error("response cache put failed", err)),
    );
  }
}
