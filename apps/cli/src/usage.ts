import type { Command } from "./command.ts";

export function usage(commands: readonly Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length), "help".length);
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  lines.push(`  ${"help".padEnd(width)}  show this help, or a command's: qmk-edge help <command>`);
  return ["usage: qmk-edge <command> [arguments]", "", "commands:", ...lines, ""].join("\n");
}
