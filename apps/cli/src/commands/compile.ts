import { parseCompileRequestText, quoteInput } from "@qmk-edge/keymap";
import { type CompileStatus, type KeycodeTranslation, LIMITS } from "@qmk-edge/schema";
import { CompileApi } from "../api-client.ts";
import { type Command, EXIT } from "../command.ts";
import { fetchArtifacts } from "../fetch-artifacts.ts";
import { COMMON_HELP, COMMON_OPTIONS, parse } from "../options.ts";
import { Progress } from "../progress.ts";
import { readInput } from "../read-input.ts";
import { explain } from "../report-error.ts";

const USAGE = `usage: qmk-edge compile FILE.json [options]

Submits a QMK Configurator keymap, follows the job through queued -> running -> finished, downloads the
firmware, checks its sha256 and prints where it is. On a failed build prints the build log's tail, exits 1.

${COMMON_HELP}  --no-wait     submit only; print the job id and exit
  --timeout SEC give up waiting after SEC seconds (default 900)
`;

// The legacy keycodes the service renamed, one per line, so a user sees what the firmware holds.
export function renamedLines(renamed: readonly KeycodeTranslation[]): string {
  if (renamed.length === 0) return "";
  const lines = renamed.map((t) => `  ${t.path}: ${t.from} -> ${t.to}`);
  return `renamed ${renamed.length} legacy keycode${renamed.length === 1 ? "" : "s"} as QMK renamed them:\n${lines.join("\n")}\n`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const compile: Command = {
  name: "compile",
  summary: "compile a keymap.json on the API and download the firmware",
  usage: USAGE,
  async run(args, io) {
    const opts = parse(args, {
      ...COMMON_OPTIONS,
      wait: { type: "boolean", default: true },
      "no-wait": { type: "boolean", default: false },
      timeout: { type: "string", default: "900" },
    });
    if (!opts.ok || opts.values.help) {
      (opts.ok ? io.stdout : io.stderr)(`${opts.ok ? "" : `qmk-edge compile: ${opts.message}\n`}${USAGE}`);
      return opts.ok ? EXIT.ok : EXIT.usage;
    }
    const { values, positionals } = opts;
    const timeoutSec = Number(values.timeout);
    if (positionals.length !== 1 || !Number.isFinite(timeoutSec) || timeoutSec <= 0) {
      io.stderr(`qmk-edge compile: expected one FILE.json and a positive --timeout\n${USAGE}`);
      return EXIT.usage;
    }
    const file = positionals[0]!;
    const input = await readInput(file, io.stdin, LIMITS.bodyBytes);
    if (!input.ok) {
      io.stderr(`qmk-edge compile: ${input.message}\n`);
      return EXIT.failed;
    }
    // Checked here first so a typo is reported at once, without a round trip.
    const parsed = parseCompileRequestText(input.bytes);
    if (!parsed.ok) {
      const lines = parsed.errors.map((e) => (e.path ? `  ${e.path}: ${e.message}` : `  ${e.message}`));
      io.stderr(`qmk-edge compile: ${quoteInput(file, 200)} is not a valid keymap:\n${lines.join("\n")}\n`);
      return EXIT.failed;
    }

    const api = new CompileApi(values.api);
    const json = values.json;
    const note = (text: string) => {
      if (!json) io.stderr(text);
    };
    try {
      const { job_id } = await api.submit(input.bytes);
      note(`job ${job_id} submitted to ${api.base}\n`);
      if (!values.wait || values["no-wait"]) {
        io.stdout(
          json
            ? `${JSON.stringify({ job_id, status_url: `${api.base}/v1/compile/${job_id}` })}\n`
            : `${job_id}\n`,
        );
        return EXIT.ok;
      }
      const progress = new Progress(note, process.stderr.isTTY === true && !json);
      const deadline = Date.now() + timeoutSec * 1000;
      let status: CompileStatus = await api.status(job_id);
      let delay = 250;
      while (status.status === "queued" || status.status === "running") {
        progress.update(status);
        if (Date.now() > deadline) {
          progress.done();
          io.stderr(
            `qmk-edge compile: gave up after ${timeoutSec} s; the job goes on: qmk-edge status ${job_id}\n`,
          );
          return EXIT.failed;
        }
        await sleep(delay);
        delay = Math.min(delay * 1.5, 2000);
        status = await api.status(job_id);
      }
      progress.update(status);
      progress.done();
      const renamed = status.keycode_translations ?? [];
      note(renamedLines(renamed));
      const translations = renamed.length ? { keycode_translations: renamed } : {};
      if (status.status === "failed") {
        const out = status.result?.output ?? "";
        if (json)
          io.stdout(
            `${JSON.stringify({ job_id, status: "failed", reason: status.failure_reason, output: out, ...translations })}\n`,
          );
        else
          io.stderr(
            `build failed${status.failure_reason ? `: ${status.failure_reason}` : ""}\n${out.slice(-4000)}\n`,
          );
        return EXIT.failed;
      }
      const files = await fetchArtifacts(api, status, values.out, values.source);
      if (json)
        io.stdout(
          `${JSON.stringify({ job_id, status: "finished", cached: status.cached === true, ...files, ...translations })}\n`,
        );
      else {
        io.stdout(`firmware: ${files.firmware.path}\n`);
        if (files.source) io.stdout(`source:   ${files.source.path}\n`);
        note(`sha256 ${files.firmware.sha256} (${files.firmware.size} bytes) verified\n`);
      }
      return EXIT.ok;
    } catch (err) {
      io.stderr(`qmk-edge compile: ${explain(err)}\n`);
      return EXIT.failed;
    }
  },
};
