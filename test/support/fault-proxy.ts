// A fault-injecting HTTP proxy on loopback, put between a client under test and the real service. Every
// request goes on to the service, bodies streamed both ways, unless a fault rule takes it. Rules are tried in
// the order they were added, the first that matches and has uses left applies:
//   fail       answer 5xx (or any status) here; the service never sees the request
//   reset      destroy the connection without an answer; the service never sees it
//   delay      forward it after a pause
//   partition  hold it until the partition heals, then forward it ("hold"), or reset it ("drop")
//   replace    forward it, then give the client another status/body than the service answered
// Every exchange is logged (method, path, headers and the first 64 KiB of both bodies) for assertions.
// The one change to what passes: requests go on without Accept-Encoding, so answers come back uncompressed.
import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Transform } from "node:stream";

export interface Match {
  method?: string;
  // The exact pathname, or a pattern tested against it (the query string is not part of it); any if absent.
  path?: string | RegExp;
}

export type FaultKind = "fail" | "reset" | "delay" | "partition" | "replace";

export interface Exchange {
  readonly method: string;
  readonly path: string;
  readonly requestHeaders: IncomingHttpHeaders;
  // The first CAPTURE_BYTES of each body.
  requestBody: Buffer;
  responseBody: Buffer;
  // What the client got; null while pending, or when it got no answer (reset, dropped, service unreachable).
  status: number | null;
  fault: FaultKind | null;
  done: boolean;
}

export interface Fault {
  readonly kind: FaultKind;
  // Requests this rule has taken so far.
  readonly hits: number;
  // Retires the rule; for a partition this heals it, and requests it holds go on to the service.
  clear(): void;
}

// What the service answered, for a `replace` rule to base its answer on.
export interface Upstream {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface Replacement {
  status?: number;
  // An object is sent as JSON, a string as text.
  body: unknown;
}

const CAPTURE_BYTES = 64 * 1024;
const HOP_BY_HOP = ["connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection"];

interface Rule {
  kind: FaultKind;
  match: Match;
  left: number;
  hits: number;
  cleared: boolean;
  status?: number;
  body?: unknown;
  ms?: number;
  mode?: "hold" | "drop";
  healed?: Promise<void>;
  heal?: () => void;
  replace?: (upstream: Upstream) => Replacement | undefined;
}

export class FaultProxy {
  readonly log: Exchange[] = [];
  readonly #target: URL;
  readonly #server: Server;
  readonly #agent = new Agent({ keepAlive: true });
  readonly #rules: Rule[] = [];
  readonly #sockets = new Set<Socket>();
  readonly #changes = new Set<() => void>();
  #url = "";

  private constructor(target: string) {
    this.#target = new URL(target);
    this.#server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://proxy");
      const ex: Exchange = {
        method: req.method ?? "GET",
        path: url.pathname,
        requestHeaders: req.headers,
        requestBody: Buffer.alloc(0),
        responseBody: Buffer.alloc(0),
        status: null,
        fault: null,
        done: false,
      };
      this.log.push(ex);
      const finish = () => {
        if (ex.done) return;
        ex.done = true;
        this.#changed();
      };
      res.once("close", finish);
      void this.#handle(req, res, ex).catch(() => req.socket.destroy());
    });
    this.#server.on("connection", (socket) => {
      this.#sockets.add(socket);
      socket.once("close", () => this.#sockets.delete(socket));
    });
  }

  // Listens on 127.0.0.1 (a free port) and forwards to `target`, e.g. the edge API's URL.
  static async start(target: string): Promise<FaultProxy> {
    const proxy = new FaultProxy(target);
    await new Promise<void>((resolve) => proxy.#server.listen(0, "127.0.0.1", resolve));
    proxy.#url = `http://127.0.0.1:${(proxy.#server.address() as AddressInfo).port}`;
    return proxy;
  }

  get url(): string {
    return this.#url;
  }

  // Answers `times` matching requests with `status` (503 unless told) and `body` (an API-shaped error).
  fail(match: Match, opts: { status?: number; times?: number; body?: unknown } = {}): Fault {
    const status = opts.status ?? 503;
    const body = opts.body ?? { code: status, message: `injected by the fault proxy (${status})` };
    return this.#add({ kind: "fail", match, left: opts.times ?? Infinity, status, body });
  }

  // Destroys the connection of `times` matching requests before anything reaches the service.
  reset(match: Match, opts: { times?: number } = {}): Fault {
    return this.#add({ kind: "reset", match, left: opts.times ?? Infinity });
  }

  // Forwards `times` matching requests `ms` late.
  delay(match: Match, opts: { ms: number; times?: number }): Fault {
    return this.#add({ kind: "delay", match, left: opts.times ?? Infinity, ms: opts.ms });
  }

  // Cuts matching requests off from the service until clear() (or `forMs`, when given): "hold" keeps them
  // waiting and forwards them once healed, as a stalled network would; "drop" resets each at once.
  partition(match: Match, opts: { mode?: "hold" | "drop"; forMs?: number } = {}): Fault {
    let heal = () => {};
    const healed = new Promise<void>((resolve) => {
      heal = resolve;
    });
    const fault = this.#add({
      kind: "partition",
      match,
      left: Infinity,
      mode: opts.mode ?? "hold",
      healed,
      heal,
    });
    if (opts.forMs !== undefined) setTimeout(() => fault.clear(), opts.forMs).unref();
    return fault;
  }

  // Forwards `times` matching requests and answers the client with `answer(upstream)` instead of what the
  // service said. When `answer` returns undefined the service's answer goes through and no use is counted.
  replace(
    match: Match,
    opts: { times?: number; answer: Replacement | ((upstream: Upstream) => Replacement | undefined) },
  ): Fault {
    const answer = opts.answer;
    return this.#add({
      kind: "replace",
      match,
      left: opts.times ?? Infinity,
      replace: typeof answer === "function" ? answer : () => answer,
    });
  }

  // Retires every rule (partitions heal); the log stays.
  clearFaults(): void {
    for (const rule of [...this.#rules]) this.#retire(rule);
  }

  exchanges(match?: Match): Exchange[] {
    return match ? this.log.filter((ex) => matches(match, ex.method, ex.path)) : [...this.log];
  }

  // The matching exchanges once each has ended: for assertions after the service was seen to act, when
  // its answer may still be on the way back through the proxy.
  async settled(match?: Match, timeoutMs = 60_000): Promise<Exchange[]> {
    await this.until(() => this.exchanges(match).every((ex) => ex.done), "exchanges to end", timeoutMs);
    return this.exchanges(match);
  }

  // Resolves once `check` holds; it is checked now and whenever a request arrives, is answered or ends.
  until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onChange = () => {
        if (!check()) return;
        clearTimeout(timer);
        this.#changes.delete(onChange);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#changes.delete(onChange);
        const recent = this.log.slice(-15).map((ex) => `${ex.method} ${ex.path} -> ${ex.status ?? "-"}`);
        reject(new Error(`timed out waiting for ${what}; last exchanges:\n  ${recent.join("\n  ")}`));
      }, timeoutMs);
      this.#changes.add(onChange);
    });
  }

  // Stops accepting first, then ends every connection (an agent's long poll, a keep-alive one), so close never
  // waits for a client.
  async close(): Promise<void> {
    this.clearFaults();
    const closed = new Promise((resolve) => this.#server.close(resolve));
    for (const socket of this.#sockets) socket.destroy();
    this.#server.closeAllConnections();
    this.#agent.destroy();
    await closed;
  }

  #add(rule: Omit<Rule, "hits" | "cleared">): Fault {
    const r: Rule = { ...rule, hits: 0, cleared: false };
    this.#rules.push(r);
    return {
      kind: r.kind,
      get hits() {
        return r.hits;
      },
      clear: () => this.#retire(r),
    };
  }

  #retire(rule: Rule): void {
    rule.cleared = true;
    rule.left = 0;
    rule.heal?.();
    const i = this.#rules.indexOf(rule);
    if (i >= 0) this.#rules.splice(i, 1);
  }

  #take(method: string, path: string): Rule | undefined {
    const rule = this.#rules.find((r) => r.left > 0 && matches(r.match, method, path));
    if (!rule) return undefined;
    rule.left--;
    rule.hits++;
    return rule;
  }

  #changed(): void {
    for (const check of [...this.#changes]) check();
  }

  async #handle(req: IncomingMessage, res: ServerResponse, ex: Exchange): Promise<void> {
    const rule = this.#take(ex.method, ex.path);
    ex.fault = rule?.kind ?? null;
    this.#changed();
    const clientGone = new Promise<void>((resolve) => res.once("close", () => resolve()));
    switch (rule?.kind) {
      case "fail": {
        req.on("data", (chunk: Buffer) => capture(ex, "requestBody", chunk));
        await Promise.race([new Promise((resolve) => req.once("end", resolve)), clientGone]);
        if (res.destroyed) return;
        const body = Buffer.from(JSON.stringify(rule.body));
        ex.status = rule.status!;
        capture(ex, "responseBody", body);
        this.#changed();
        res.writeHead(rule.status!, { "content-type": "application/json" }).end(body);
        return;
      }
      case "reset":
        req.socket.destroy();
        return;
      case "partition":
        if (rule.mode === "drop") {
          req.socket.destroy();
          return;
        }
        await Promise.race([rule.healed, clientGone]);
        break;
      case "delay":
        await Promise.race([new Promise((r) => setTimeout(r, rule.ms)), clientGone]);
        break;
    }
    if (res.destroyed || res.writableEnded) return;
    this.#forward(req, res, ex, rule?.kind === "replace" ? rule : undefined);
  }

  #forward(req: IncomingMessage, res: ServerResponse, ex: Exchange, rule: Rule | undefined): void {
    const headers = withoutHopByHop(req.headers);
    headers.host = this.#target.host;
    // Plain bodies from the service, so the log and `replace` rules see them as they are.
    delete headers["accept-encoding"];
    const upstream = request({
      host: this.#target.hostname,
      port: this.#target.port,
      method: req.method,
      path: req.url,
      headers,
      agent: this.#agent,
    });
    // The client hung up (e.g. an aborted long-poll): the service must see it hang up too.
    res.once("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    upstream.once("error", () => res.destroy());
    req.pipe(tap((chunk) => capture(ex, "requestBody", chunk))).pipe(upstream);

    upstream.once("response", (answer) => {
      if (rule) {
        const chunks: Buffer[] = [];
        answer.on("data", (chunk: Buffer) => chunks.push(chunk));
        answer.once("end", () => {
          const got: Upstream = {
            status: answer.statusCode ?? 502,
            headers: answer.headers,
            body: Buffer.concat(chunks),
          };
          let replaced: Replacement | undefined;
          try {
            replaced = rule.replace!(got);
          } catch (err) {
            // A broken rule must not take the proxy down; the client sees a 500 that says why.
            replaced = {
              status: 500,
              body: { code: 500, message: `fault proxy: replace rule threw: ${err}` },
            };
          }
          if (!replaced) {
            rule.hits--;
            if (!rule.cleared) rule.left++;
            ex.fault = null;
            return this.#send(res, ex, got.status, withoutHopByHop(got.headers), got.body);
          }
          const text = typeof replaced.body === "string" ? replaced.body : JSON.stringify(replaced.body);
          const type = typeof replaced.body === "string" ? "text/plain" : "application/json";
          this.#send(res, ex, replaced.status ?? got.status, { "content-type": type }, Buffer.from(text));
        });
        return;
      }
      ex.status = answer.statusCode ?? 502;
      this.#changed();
      res.writeHead(ex.status, withoutHopByHop(answer.headers));
      answer.pipe(tap((chunk) => capture(ex, "responseBody", chunk))).pipe(res);
    });
  }

  #send(res: ServerResponse, ex: Exchange, status: number, headers: IncomingHttpHeaders, body: Buffer): void {
    ex.status = status;
    capture(ex, "responseBody", body);
    this.#changed();
    res.writeHead(status, { ...headers, "content-length": String(body.length) }).end(body);
  }
}

function matches(match: Match, method: string, path: string): boolean {
  if (match.method && match.method.toUpperCase() !== method) return false;
  if (match.path === undefined) return true;
  return typeof match.path === "string" ? match.path === path : match.path.test(path);
}

function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out = { ...headers };
  for (const h of HOP_BY_HOP) delete out[h];
  return out;
}

function capture(ex: Exchange, field: "requestBody" | "responseBody", chunk: Buffer): void {
  const room = CAPTURE_BYTES - ex[field].length;
  if (room > 0) ex[field] = Buffer.concat([ex[field], chunk.subarray(0, room)]);
}

function tap(onChunk: (chunk: Buffer) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      onChunk(chunk);
      callback(null, chunk);
    },
  });
}
