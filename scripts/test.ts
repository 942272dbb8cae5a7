// `npm test`: lint, typecheck, the import floors (check-floors.ts) and every package's tests (unit,
// workerd, agent, end-to-end).
import { spawnSync } from "node:child_process";

const steps: Array<[string, string[]]> = [
  ["biome", ["ci", "."]],
  ["tsc", ["-p", "scripts"]],
  ["node", ["scripts/check-floors.ts"]],
  [
    "turbo",
    ["run", "typecheck", "test", "--concurrency=1", "--output-logs=new-only", ...process.argv.slice(2)],
  ],
];
for (const [cmd, args] of steps) {
  process.stderr.write(`[qmk-edge] ${cmd} ${args.join(" ")}\n`);
  const res = spawnSync(cmd, args, { stdio: "inherit" });
  if (res.status !== 0) process.exit(res.status ?? 1);
}
