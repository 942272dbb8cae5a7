import { OPTIONS, type OptionSpec } from "./options.ts";

// The agent's --help: a summary, then every option of the table with its env variable and default.

export function helpText(): string {
  const rows = Object.entries(OPTIONS).map(([name, spec]: [string, OptionSpec]) => {
    const head = spec.value ? `  --${name} ${spec.value}` : `  --${name}`;
    const fallback = "fallback" in spec && spec.fallback ? `\n      default: ${spec.fallback}` : "";
    const env = spec.value ? spec.env : `${spec.env}=1`;
    return `${head}\n      ${wrap(spec.help, 90).join("\n      ")}\n      env: ${env}${fallback}`;
  });
  return [
    "qmk-edge-agent: builds QMK firmware for a qmk-edge API.",
    "",
    "Leases compile jobs from the API (outbound HTTPS only), builds each against a warm firmware tree with the",
    "native toolchains (avr-gcc, arm-none-eabi-gcc; ccache when present), and uploads the firmware, a source",
    "zip, the keymap JSON and the build log. SIGTERM/SIGINT/SIGHUP stop leasing, let running jobs finish",
    "within --shutdown-grace and hand the rest back to the API; the exit code is then 0. The log goes to",
    "stderr; should a write to it fail (its reader gone, a closed terminal), the agent keeps working and",
    "appends its log to <work-dir>/agent.log instead.",
    "",
    "Usage:",
    "  qmk-edge-agent --api URL --token TOKEN (--tree PATH | --tree-git URL [--tree-ref REF]) [options]",
    "  npm run -s agent -- --api URL --token TOKEN --tree firmware/demo-tree      (from the repo root)",
    "",
    "Options (each also from the env variable shown, or from a --config file):",
    ...rows,
    "  -h, --help",
    "      Print this help and exit.",
    "",
    "Exit codes: 0 stopped by a signal after a clean shutdown; 1 a fatal runtime error (e.g. the API",
    "rejects the token); 2 bad configuration.",
    "",
  ].join("\n");
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
