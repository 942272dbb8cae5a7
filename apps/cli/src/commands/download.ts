import { CompileApi } from "../api-client.ts";
import { type Command, EXIT } from "../command.ts";
import { fetchArtifacts } from "../fetch-artifacts.ts";
import { COMMON_HELP, COMMON_OPTIONS, parse } from "../options.ts";
import { explain } from "../report-error.ts";

const USAGE = `usage: qmk-edge download JOB_ID [options]

Downloads a finished job's firmware (and with --source its source zip) and checks each sha256.

${COMMON_HELP}`;

export const download: Command = {
  name: "download",
  summary: "download a finished job's firmware (and source zip)",
  usage: USAGE,
  async run(args, io) {
    const opts = parse(args, COMMON_OPTIONS);
    if (!opts.ok || opts.values.help || opts.positionals.length !== 1) {
      const ok = opts.ok && opts.values.help;
      (ok ? io.stdout : io.stderr)(`${opts.ok ? "" : `qmk-edge download: ${opts.message}\n`}${USAGE}`);
      return ok ? EXIT.ok : EXIT.usage;
    }
    try {
      const api = new CompileApi(opts.values.api);
      const files = await fetchArtifacts(
        api,
        await api.status(opts.positionals[0]!),
        opts.values.out,
        opts.values.source,
      );
      if (opts.values.json) io.stdout(`${JSON.stringify(files)}\n`);
      else for (const f of Object.values(files)) io.stdout(`${f.path}\n`);
      return EXIT.ok;
    } catch (err) {
      io.stderr(`qmk-edge download: ${explain(err)}\n`);
      return EXIT.failed;
    }
  },
};
