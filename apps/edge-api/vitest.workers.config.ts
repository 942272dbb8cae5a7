import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// The Worker in workerd with its real (local) R2, Queues and Durable Objects; storage is isolated per test file.
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.jsonc" },
      miniflare: {
        // Small enough that the rate-limit test stays quick.
        bindings: { RATE_LIMIT_PER_MINUTE: "5" },
      },
    }),
  ],
  resolve: {
    alias: { "#test-target": fileURLToPath(new URL("./test-support/target.worker.ts", import.meta.url)) },
  },
  test: {
    name: "workers",
    include: ["src/**/*.test.ts"],
  },
});
