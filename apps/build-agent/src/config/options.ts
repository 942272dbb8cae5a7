import { LEASE_MAX_WAIT_MS } from "@qmk-edge/schema";
import { LOG_FORMATS, LOG_LEVELS } from "../log.ts";

// The agent's option table: each option once, under its flag name, with its env variable and what --help
// says of it. Its values are checked in load-config.ts; the help text is drawn from it in help.ts.

// Keyboards whose build slot (build/slots.ts) is kept: a slot is 1-10 MB, a tree has thousands of keyboards.
export const DEFAULT_MAX_BUILD_SLOTS = 200;

export interface OptionSpec {
  env: string;
  value: string; // placeholder shown in --help; "" for a boolean switch
  help: string;
  fallback?: string; // shown as the default in --help
}

export const OPTIONS = {
  api: {
    env: "QMK_EDGE_API",
    value: "URL",
    help: "Base URL of the qmk-edge API the agent leases jobs from (e.g. https://api.example.org).",
  },
  token: {
    env: "QMK_EDGE_AGENT_TOKEN",
    value: "TOKEN",
    help: "Agent token sent as `Authorization: Bearer`. Prefer the env variable: flags show up in `ps`.",
  },
  "token-file": {
    env: "QMK_EDGE_AGENT_TOKEN_FILE",
    value: "FILE",
    help: "Instead of --token: a file holding the token (a container secret); surrounding whitespace is ignored.",
  },
  tree: {
    env: "QMK_EDGE_TREE",
    value: "PATH",
    help: "A firmware tree on disk (qmk_firmware or the demo tree), used in place. Its version is its git commit when PATH is the top of a git checkout, else its VERSION file.",
  },
  "tree-git": {
    env: "QMK_EDGE_TREE_GIT",
    value: "URL",
    help: "Instead of --tree: a git URL (or path to a repository) cloned once into the work dir and kept warm; the version is the pinned commit.",
  },
  "tree-ref": {
    env: "QMK_EDGE_TREE_REF",
    value: "REF",
    help: "Branch, tag or commit of --tree-git to build.",
    fallback: "HEAD (the remote's default branch)",
  },
  "work-dir": {
    env: "QMK_EDGE_WORK_DIR",
    value: "DIR",
    help: "Where the agent keeps warm trees, keyboards' build slots, per-job dirs, the ccache and tree archives.",
    fallback: "$XDG_CACHE_HOME/qmk-edge-agent or ~/.cache/qmk-edge-agent",
  },
  concurrency: {
    env: "QMK_EDGE_CONCURRENCY",
    value: "N",
    help: "Jobs built at the same time.",
    fallback: "max(1, CPUs / 2)",
  },
  "make-jobs": {
    env: "QMK_EDGE_MAKE_JOBS",
    value: "N",
    help: "Parallel jobs inside one build (`make -jN`).",
    fallback: "max(1, CPUs / concurrency)",
  },
  "max-build-slots": {
    env: "QMK_EDGE_MAX_BUILD_SLOTS",
    value: "N",
    help: "Keyboards whose build dir is kept for their next job (a slot is 1-10 MB); past it the least recently used one goes.",
    fallback: String(DEFAULT_MAX_BUILD_SLOTS),
  },
  "build-timeout": {
    env: "QMK_EDGE_BUILD_TIMEOUT",
    value: "DURATION",
    help: "Wall-clock limit of one `make`; the whole process group is killed after it. Units: ms, s, m, h (a bare number is seconds).",
    fallback: "10m",
  },
  "max-log-bytes": {
    env: "QMK_EDGE_MAX_LOG_BYTES",
    value: "SIZE",
    help: "Cap on captured build output; beyond it the head and tail are kept and the cut is marked. Units: k, m (1024-based).",
    fallback: "1m",
  },
  "shutdown-grace": {
    env: "QMK_EDGE_SHUTDOWN_GRACE",
    value: "DURATION",
    help: "On SIGTERM/SIGINT/SIGHUP: how long running jobs may finish before they are stopped and released to other agents.",
    fallback: "60s",
  },
  "lease-wait": {
    env: "QMK_EDGE_LEASE_WAIT",
    value: "DURATION",
    help: `How long one lease request long-polls for a job (at most ${LEASE_MAX_WAIT_MS / 1000}s).`,
    fallback: `${LEASE_MAX_WAIT_MS / 1000}s`,
  },
  "agent-id": {
    env: "QMK_EDGE_AGENT_ID",
    value: "ID",
    help: "Name of this agent in the API's records ([A-Za-z0-9_.-], at most 64).",
    fallback: "<hostname>-<pid>",
  },
  ccache: {
    env: "QMK_EDGE_CCACHE",
    value: "auto|off",
    help: "auto: compile through ccache (cache under the work dir) when `ccache` is on PATH.",
    fallback: "auto",
  },
  "isolate-network": {
    env: "QMK_EDGE_ISOLATE_NETWORK",
    value: "auto|on|off",
    help: "Run make without network: `unshare -n` as root, `unshare -rn` (user namespace) otherwise. auto: when it works here; on: refuse to start without it.",
    fallback: "auto",
  },
  "no-publish-catalogue": {
    env: "QMK_EDGE_NO_PUBLISH_CATALOGUE",
    value: "",
    help: "Do not derive and publish the keyboard catalogue (keyboards, layouts, readmes, keycodes) of each firmware version this agent builds. By default a trusted agent publishes it in the background at start; a community token is refused and only logs that.",
  },
  "no-build-health": {
    env: "QMK_EDGE_NO_BUILD_HEALTH",
    value: "",
    help: "Do not build keyboards' default keymaps while idle. By default a trusted agent with no job to build asks the API for the next keyboard due and reports whether it built (GET /v1/keyboards/build_status); any user job stops it at once.",
  },
  "metrics-listen": {
    env: "QMK_EDGE_METRICS_LISTEN",
    value: "HOST:PORT",
    help: "Serve this agent's Prometheus metrics (builds, stage times, build slot hits) at http://HOST:PORT/metrics. Off unless given.",
  },
  "stop-with-parent": {
    env: "QMK_EDGE_STOP_WITH_PARENT",
    value: "",
    help: "Shut down as on SIGTERM once the process that started the agent has exited (`npm start` passes it), for a parent that may die without stopping its children.",
  },
  "log-format": {
    env: "QMK_EDGE_LOG_FORMAT",
    value: LOG_FORMATS.join("|"),
    help: "human: one readable line per stage with durations; json: one JSON object per line.",
    fallback: "human",
  },
  "log-level": {
    env: "QMK_EDGE_LOG_LEVEL",
    value: LOG_LEVELS.join("|"),
    help: "Least severe level printed.",
    fallback: "info",
  },
  config: {
    env: "QMK_EDGE_AGENT_CONFIG",
    value: "FILE",
    help: 'JSON file with any of these options under their flag names, e.g. {"api": "...", "concurrency": 2}. Flags win over env, env over the file.',
  },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;
