import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// The shared route tests once more on Node, with the embedded default storage (a directory) instead of S3.
export default defineConfig({
  resolve: {
    alias: { "#test-target": fileURLToPath(new URL("../test-support/target.node.ts", import.meta.url)) },
  },
  test: {
    name: "node-fs",
    root: fileURLToPath(new URL("..", import.meta.url)),
    include: ["src/**/*.test.ts"],
    env: { QMK_EDGE_TEST_BLOBS: "fs" },
    globalSetup: ["./test-node/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
