import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

// Which shared tests (src/**/*.test.ts) each vitest project runs; the rule is in docs/architecture.md, "Tests of
// apps/edge-api". Read from the files themselves, so a new test lands in the right projects without a list:
// - a file that talks to `#test-target` runs in workers and node; in node-fs too when it is a `happy` file or
//   its subject stores or serves blobs beyond job records (NODE_FS_SUBJECTS), the only thing node-fs swaps;
// - a file that does not (pure logic, e.g. config/agent-tokens.test.ts) runs once, in node.

const root = fileURLToPath(new URL("..", import.meta.url));

// Subjects whose routes move artifacts, catalogue objects or results through the blob store.
const NODE_FS_SUBJECTS = [
  "routes/v1_agent_artifact_link",
  "routes/v1_agent_artifact_upload",
  "routes/v1_compile_artifact",
  "routes/v1_agent_catalogue_publish",
  "routes/v1_keyboard_info",
  "routes/v1_compile_create.catalogue",
  "routes/v1_agent_complete",
  "routes/configurator_contract",
];

function testsUnder(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".test.ts"))
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

const shared = testsUnder("src");
// Through a helper of test-support/ too: only a file that imports neither is pure logic.
const usesTarget = (file: string) =>
  /"#test-target"|test-support\//.test(readFileSync(join(root, file), "utf8"));

export const sharedTests = {
  workers: shared.filter(usesTarget),
  node: shared,
  nodeFs: shared
    .filter(usesTarget)
    .filter((f) => f.endsWith(".happy.test.ts") || NODE_FS_SUBJECTS.some((s) => f.startsWith(`src/${s}.`))),
};
