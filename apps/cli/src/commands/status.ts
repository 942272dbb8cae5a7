import { CompileApi } from "../api-client.ts";
import { type Command, EXIT } from "../command.ts";
import { COMMON_OPTIONS, parse } from "../options.ts";
import { describe } from "../progress.ts";
import { explain } from "../report-error.ts";

const USAGE = `usage: qmk-edge status JOB_ID [--api URL] [--json]

Prints a job's state (queued with its position, running with its stage, finished or failed).
`;

export const status: Command = {
  name: "status",
  summary: "show the state of a compile job",
  usage: USAGE,
  async run(args, io) {
    const opts = parse(args, {
      api: COMMON_OPTIONS.api,
      json: COMMON_OPTIONS.json,
      help: COMMON_OPTIONS.help,
    });
    if (!opts.ok || opts.values.help || opts.positionals.length !== 1) {
      const ok = opts.ok && opts.values.help;
      (ok ? io.stdout : io.stderr)(`${opts.ok ? "" : `qmk-edge status: ${opts.message}\n`}${USAGE}`);
      return ok ? EXIT.ok : EXIT.usage;
    }
    try {
      const s = await new CompileApi(opts.values.api).status(opts.positionals[0]!);
      if (opts.values.json) io.stdout(`${JSON.stringify(s)}\n`);
      else {
        io.stdout(`${s.id}: ${describe(s)}\n`);
        if (s.status === "failed" && s.failure_reason) io.stdout(`reason: ${s.failure_reason}\n`);
        if (s.result?.firmware_filename) io.stdout(`firmware: ${s.result.firmware_binary_url[0]}\n`);
      }
      return s.status === "failed" ? EXIT.failed : EXIT.ok;
    } catch (err) {
      io.stderr(`qmk-edge status: ${explain(err)}\n`);
      return EXIT.failed;
    }
  },
};
