import type { StaticFiles } from "../../ports/static-files.ts";

// Workers static assets (wrangler.jsonc `assets` with a binding). Files are normally answered by the assets
// router before the Worker runs; the Worker asks the binding for paths it sees first (`run_worker_first`,
// e.g. /keymaps/* when the catalogue has no default keymap for a keyboard) and for misses of its routes.
export class WorkersAssets implements StaticFiles {
  readonly #assets: Fetcher;

  constructor(assets: Fetcher) {
    this.#assets = assets;
  }

  async serve(request: Request): Promise<Response | null> {
    const res = await this.#assets.fetch(request);
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    return res;
  }
}
