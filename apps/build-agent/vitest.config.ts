import { defineConfig } from "vitest/config";

// Real compilers, real processes: builds take seconds, not milliseconds.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "src/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
