import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// The Node runtime: the shared route tests (src/**/*.test.ts, not *.workers.test.ts) against the Node app with
// Redis Streams + the Ceph S3 gateway, plus the adapter, config and fault tests in test-node/.
export default defineConfig({
  resolve: {
    alias: { "#test-target": fileURLToPath(new URL("../test-support/target.node.ts", import.meta.url)) },
  },
  test: {
    name: "node",
    root: fileURLToPath(new URL("..", import.meta.url)),
    include: ["src/**/*.test.ts", "test-node/**/*.test.ts"],
    exclude: ["src/**/*.workers.test.ts", "**/node_modules/**"],
    globalSetup: ["./test-node/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
