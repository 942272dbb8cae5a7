import { spawn } from "node:child_process";

const entry = new URL("../src/node/main.ts", import.meta.url).pathname;

// The Node API as its own process (the real entry, src/node/main.ts) with only `env` and PATH, for tests that
// need what happens at start, on exit or on a kill; its stdout and stderr are collected together.
export function spawnNodeApi(env: Record<string, string>) {
  const child = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: "pipe",
  });
  let output = "";
  child.stdout.on("data", (c) => (output += c));
  child.stderr.on("data", (c) => (output += c));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, exited, output: () => output };
}
