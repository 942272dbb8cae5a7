import { defineConfig } from "vitest/config";

// End-to-end files each start their own API and agents: run them one at a time on a 2-core CI machine.
export default defineConfig({
  test: {
    include: ["e2e/**/*.test.ts", "servers/**/*.test.ts", "support/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
