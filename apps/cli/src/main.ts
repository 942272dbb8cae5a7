#!/usr/bin/env node
import { quoteInput } from "@qmk-edge/keymap";
import { type CliIo, EXIT } from "./command.ts";
import { COMMANDS } from "./commands/index.ts";
import { usage } from "./usage.ts";

// Entry point: wires the process into a command and sets the exit code. Nothing else lives here.
const io: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdin: process.stdin,
};

// A closed pipe (`qmk-edge json2c x.json | head`) is not an error worth a stack trace.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code === "EPIPE") process.exit(EXIT.ok);
  throw err;
});

async function dispatch(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined) {
    io.stderr(usage(COMMANDS));
    return EXIT.usage;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    const topic =
      name === "help" && args[0] !== undefined ? COMMANDS.find((c) => c.name === args[0]) : undefined;
    if (name === "help" && args[0] !== undefined && !topic) {
      io.stderr(`qmk-edge: unknown command ${quoteInput(args[0])}\n${usage(COMMANDS)}`);
      return EXIT.usage;
    }
    io.stdout(topic ? topic.usage : usage(COMMANDS));
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr(`qmk-edge: unknown command ${quoteInput(name)}\n${usage(COMMANDS)}`);
    return EXIT.usage;
  }
  return command.run(args, io);
}

process.exitCode = await dispatch(process.argv.slice(2));
