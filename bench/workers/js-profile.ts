// A V8 CPU profile of each isolate of a local workerd through its inspector (BENCH_WORKERD_INSPECTOR_PORT of
// the dispatcher bench): `node bench/workers/js-profile.ts <port> <seconds> <out dir>` while a drain runs. It
// writes <isolate>.cpuprofile per target and prints each one's busiest functions by self time.
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const [port, seconds, outDir] = process.argv.slice(2);
if (!port || !seconds || !outDir) throw new Error("usage: js-profile.ts <port> <seconds> <out dir>");
const dir: string = outDir;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

async function profile(target: { id: string; title?: string; webSocketDebuggerUrl: string }) {
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let next = 1;
  const pending = new Map<number, (result: unknown) => void>();
  ws.onmessage = (event) => {
    const msg = JSON.parse(String(event.data)) as { id?: number; result?: unknown };
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result);
  };
  const post = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve) => {
      const id = next++;
      pending.set(id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: 200 });
  await post("Profiler.start");
  await new Promise((resolve) => setTimeout(resolve, Number(seconds) * 1000));
  const { profile } = (await post("Profiler.stop")) as { profile: { nodes: ProfileNode[] } };
  ws.close();
  const name = (target.title ?? target.id).replace(/[^\w.-]+/g, "_");
  writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
  const total = profile.nodes.reduce((n, node) => n + (node.hitCount ?? 0), 0);
  const bySelf = new Map<string, number>();
  for (const node of profile.nodes) {
    const f = node.callFrame;
    const key = `${f.functionName || "(anonymous)"} ${f.url.split("/").at(-1)}:${f.lineNumber}`;
    bySelf.set(key, (bySelf.get(key) ?? 0) + (node.hitCount ?? 0));
  }
  const top = [...bySelf].sort((a, b) => b[1] - a[1]).slice(0, 40);
  console.log(`== ${name}: ${total} samples`);
  for (const [key, hits] of top) console.log(`${((hits / total) * 100).toFixed(1).padStart(5)}%  ${key}`);
}

const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
  id: string;
  title?: string;
  webSocketDebuggerUrl: string;
}[];
await Promise.all(targets.map(profile));
