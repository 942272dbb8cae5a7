import { generateKeymapC, parseCompileRequestText, quoteInput } from "@qmk-edge/keymap";
import { LIMITS } from "@qmk-edge/schema";
import { type Command, EXIT } from "../command.ts";
import { readInput } from "../read-input.ts";

const USAGE = `usage: qmk-edge json2c FILE.json

Prints the keymap.c that a QMK Configurator export (keymap.json) compiles to, as \`qmk json2c\` does.
FILE.json may be - to read standard input. Invalid input is refused with one line per field at fault.
`;

// The one FILE.json argument, or what is wrong with the arguments. `--` ends options, for a file named `-x`.
function fileOperands(args: string[]): [string] | string {
  const operands = args[0] === "--" ? args.slice(1) : args;
  const option = args[0] === "--" ? undefined : operands.find((a) => a.startsWith("-") && a !== "-");
  if (option !== undefined) return `unknown option ${quoteInput(option)}`;
  if (operands.length === 0) return "missing FILE.json";
  if (operands.length > 1) return `expected one FILE.json, got ${operands.length} arguments`;
  return [operands[0]!];
}

export const json2c: Command = {
  name: "json2c",
  summary: "print the keymap.c for a QMK Configurator keymap.json",
  usage: USAGE,
  async run(args, io) {
    if (args.includes("--help") || args.includes("-h")) {
      io.stdout(USAGE);
      return EXIT.ok;
    }
    const operands = fileOperands(args);
    if (typeof operands === "string") {
      io.stderr(`qmk-edge json2c: ${operands}\n${USAGE}`);
      return EXIT.usage;
    }
    const [source] = operands;
    const name = source === "-" ? "standard input" : quoteInput(source, 200);

    const input = await readInput(source, io.stdin, LIMITS.bodyBytes);
    if (!input.ok) {
      io.stderr(`qmk-edge json2c: ${input.message}\n`);
      return EXIT.failed;
    }
    const parsed = parseCompileRequestText(input.bytes);
    if (!parsed.ok) {
      const lines = parsed.errors.map((e) =>
        e.path === "" ? `  ${e.message}` : `  ${e.path}: ${e.message}`,
      );
      io.stderr(`qmk-edge json2c: ${name} is not a valid keymap:\n${lines.join("\n")}\n`);
      return EXIT.failed;
    }
    io.stdout(generateKeymapC(parsed.value));
    return EXIT.ok;
  },
};
