import { defineConfig } from "vitest/config";

// One vitest project per runtime; the shared route tests run in each (see test-support/target.ts).
export default defineConfig({
  test: {
    projects: [
      "./vitest.workers.config.ts",
      "./vitest.workers-sharded.config.ts",
      "./test-node/vitest.config.ts",
      "./test-node/vitest.fs.config.ts",
    ],
  },
});
