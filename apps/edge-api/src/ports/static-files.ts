// A built web app (QMK Configurator) served beside /v1 from the same origin, so its downloads and API calls
// need no CORS and no "Leave site?" (issue 18). Workers: the Workers static assets binding
// (adapters/static-files/workers-assets.ts); Node: a directory (adapters/static-files/dir.ts, STATIC_DIR).
export interface StaticFiles {
  // The file a GET or HEAD asks for (a directory's index.html), or null when there is none.
  serve(request: Request): Promise<Response | null>;
}
