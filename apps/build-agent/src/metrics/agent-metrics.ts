// The agent's own Prometheus metrics (--metrics-listen HOST:PORT): builds by outcome, stage times, build
// slot hits (a warm slot means make rebuilt only the keymap), jobs running, default-keymap builds. One
// registry per agent; the server answers GET /metrics and nothing else.
import { createServer, type Server } from "node:http";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export class AgentMetrics {
  readonly registry = new Registry();
  readonly builds: Counter<"firmware_version" | "outcome">;
  readonly stageSeconds: Histogram<"stage">;
  readonly slots: Counter<"result">;
  readonly running: Gauge;
  readonly healthBuilds: Counter<"firmware_version" | "works">;

  constructor(opts: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.builds = new Counter({
      name: "qmk_edge_agent_builds_total",
      help: "User jobs this agent built, by outcome (finished, failed)",
      labelNames: ["firmware_version", "outcome"],
      registers,
    });
    this.stageSeconds = new Histogram({
      name: "qmk_edge_agent_stage_seconds",
      help: "Time per stage of a user job: prepare, compile, package, upload",
      labelNames: ["stage"],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
      registers,
    });
    this.slots = new Counter({
      name: "qmk_edge_agent_build_slot_total",
      help: "Builds by their slot: warm (objects of an earlier build reused) or cold (built from nothing)",
      labelNames: ["result"],
      registers,
    });
    this.running = new Gauge({
      name: "qmk_edge_agent_jobs_running",
      help: "User jobs being built",
      registers,
    });
    this.healthBuilds = new Counter({
      name: "qmk_edge_agent_build_health_total",
      help: "Default-keymap builds done while idle, by result",
      labelNames: ["firmware_version", "works"],
      registers,
    });
    if (opts.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: "qmk_edge_agent_" });
  }

  // Serves GET /metrics; resolves with the bound port (0 asks for a free one).
  listen(host: string, port: number): Promise<{ server: Server; port: number }> {
    const server = createServer((req, res) => {
      if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
        return;
      }
      this.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": this.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500, { "content-type": "text/plain" }).end(`${String(err)}\n`),
      );
    });
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        const address = server.address();
        resolve({ server, port: typeof address === "object" && address ? address.port : port });
      });
    });
  }
}
