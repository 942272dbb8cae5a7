import type { Command } from "./command.ts";
import { compile } from "./commands/compile.ts";
import { download } from "./commands/download.ts";
import { json2c } from "./commands/json2c.ts";
import { status } from "./commands/status.ts";

// Every command the CLI knows, in the order `qmk-edge help` lists them.
export const COMMANDS: readonly Command[] = [compile, status, download, json2c];
