import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { TEST_AGENT_TOKENS, TEST_OPERATOR_TOKEN, tokenEntries } from "./test-support/agent-tokens.ts";
import { sharedTests } from "./test-support/shared-tests.ts";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

// wrangler.jsonc requires these secrets and warns on every test file when it cannot see them; the values
// the Worker gets are the bindings below.
process.env.AGENT_TOKEN_HASHES ??= tokenEntries(Object.values(TEST_AGENT_TOKENS), sha256);
process.env.OPERATOR_TOKEN_HASHES ??= sha256(TEST_OPERATOR_TOKEN);

// The Worker in workerd with its real (local) R2, Queues and Durable Objects; storage is isolated per test file.
// `project` names another project of the same Worker with other vars (vitest.workers-sharded.config.ts).
export const workersProject = (project?: {
  name: string;
  include: string[];
  bindings: Record<string, string>;
}) =>
  defineConfig({
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.jsonc" },
        miniflare: {
          bindings: {
            // Small enough that the rate-limit test stays quick.
            RATE_LIMIT_PER_MINUTE: "5",
            // The test tokens of every trust level (test-support/agent-tokens.ts), as hashes like in production.
            AGENT_TOKEN_HASHES: tokenEntries(Object.values(TEST_AGENT_TOKENS), sha256),
            OPERATOR_TOKEN_HASHES: sha256(TEST_OPERATOR_TOKEN),
            ...project?.bindings,
          },
          // One-origin mode (issue 18) with a tiny stand-in for a built QMK Configurator, as a deployment's
          // wrangler.jsonc `assets` would configure it (README "One origin").
          assets: {
            directory: fileURLToPath(new URL("./test-support/static-site", import.meta.url)),
            binding: "ASSETS",
            run_worker_first: ["/keymaps/*"],
          },
        },
      }),
    ],
    resolve: {
      alias: { "#test-target": fileURLToPath(new URL("./test-support/target.worker.ts", import.meta.url)) },
    },
    test: {
      name: project?.name ?? "workers",
      // The shared tests beside the modules that talk to the app (test-support/shared-tests.ts), plus the
      // workerd-only suites.
      include: project?.include ?? [...sharedTests.workers, "test-workers/**/*.test.ts"],
      // As in the Node projects: vitest's 5 s default failed route tests on a busy 2-core machine (issue 19).
      testTimeout: 30_000,
      hookTimeout: 60_000,
    },
  });

export default workersProject();
