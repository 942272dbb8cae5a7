import { parseArgs } from "node:util";
import { DEFAULT_API } from "./api-client.ts";

export type CommonOptions = { api: string; out: string; json: boolean; source: boolean };

type Spec = NonNullable<Parameters<typeof parseArgs>[0]>["options"];

export const COMMON_OPTIONS = {
  api: { type: "string", default: DEFAULT_API },
  out: { type: "string", default: "." },
  json: { type: "boolean", default: false },
  source: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} satisfies Spec;

export const COMMON_HELP = `  --api URL     the compile API (default: $QMK_EDGE_API or http://127.0.0.1:8787)
  --out DIR     where downloads go (default: the current directory)
  --source      also download the source zip
  --json        print one JSON object instead of human progress lines
`;

// parseArgs, with a message instead of an exception for unknown options.
export function parse<S extends Spec>(args: string[], options: S) {
  try {
    return { ok: true as const, ...parseArgs({ args, options, allowPositionals: true, strict: true }) };
  } catch (err) {
    return { ok: false as const, message: err instanceof Error ? err.message : String(err) };
  }
}
