import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// The Node runtime: the shared tests beside the modules (src/**/*.test.ts) against the Node app with
// Redis Streams + the Ceph S3 gateway, plus the Node-only adapter, config and fault suites in test-node/.
export default defineConfig({
  resolve: {
    alias: { "#test-target": fileURLToPath(new URL("../test-support/target.node.ts", import.meta.url)) },
  },
  test: {
    name: "node",
    root: fileURLToPath(new URL("..", import.meta.url)),
    include: ["src/**/*.test.ts", "test-node/**/*.test.ts"],
    globalSetup: ["./test-node/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
