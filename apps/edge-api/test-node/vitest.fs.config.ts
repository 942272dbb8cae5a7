import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { sharedTests } from "../test-support/shared-tests.ts";

// The shared route tests once more on Node, with the embedded default storage (a directory) instead of S3: those
// whose subject moves blobs, and every happy path (test-support/shared-tests.ts says which and why).
export default defineConfig({
  resolve: {
    alias: { "#test-target": fileURLToPath(new URL("../test-support/target.node.ts", import.meta.url)) },
  },
  test: {
    name: "node-fs",
    root: fileURLToPath(new URL("..", import.meta.url)),
    include: sharedTests.nodeFs,
    env: { QMK_EDGE_TEST_BLOBS: "fs" },
    globalSetup: ["./test-node/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
