import type { Command } from "../command.ts";
import { compile } from "./compile.ts";
import { download } from "./download.ts";
import { json2c } from "./json2c.ts";
import { status } from "./status.ts";

// Every command the CLI knows, in the order `qmk-edge help` lists them.
export const COMMANDS: readonly Command[] = [compile, status, download, json2c];
