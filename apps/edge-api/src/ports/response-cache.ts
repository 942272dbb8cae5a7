// A cache in front of immutable responses (artifact downloads), keyed by a path-like string.
// Workers: the Cache API (caches.default). Node has none: Deps.responseCache is null there.
export interface ResponseCache {
  match(key: string): Promise<Response | null>;
  // Stores a copy in the background; the adapter keeps the runtime alive until it is written.
  put(key: string, response: Response): void;
}
