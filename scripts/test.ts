// `npm test`: lint, typecheck, the import floors (check-floors.ts) and every package's tests (unit,
// workerd, agent, end-to-end).
import { spawnSync } from "node:child_process";

// Two packages at a time: the agent and end-to-end suites spend much of their time waiting (wrangler starting,
// make, lease polls) while the edge API's suite is CPU-bound, so pairing them overlaps waits with work.
// A package that fails does not cancel the others: a cancelled suite never ran its teardown, and the servers and
// agents it had started (wrangler, workerd, a build agent) outlived the run (seen after a red CI run); each
// suite now ends on its own, stops what it started, and the run still fails.
const steps: Array<[string, string[]]> = [
  ["biome", ["ci", "."]],
  ["tsc", ["-p", "scripts"]],
  ["node", ["scripts/check-floors.ts"]],
  [
    "turbo",
    [
      "run",
      "typecheck",
      "test",
      "--concurrency=2",
      "--continue=always",
      "--output-logs=new-only",
      ...process.argv.slice(2),
    ],
  ],
];
for (const [cmd, args] of steps) {
  process.stderr.write(`[qmk-edge] ${cmd} ${args.join(" ")}\n`);
  const res = spawnSync(cmd, args, { stdio: "inherit" });
  if (res.status !== 0) process.exit(res.status ?? 1);
}
