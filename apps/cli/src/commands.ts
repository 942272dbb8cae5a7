import type { Command } from "./command.ts";
import { json2c } from "./commands/json2c.ts";

// Every command the CLI knows, in the order `qmk-edge help` lists them. compile, status and download join
// here with the API client.
export const COMMANDS: readonly Command[] = [json2c];
