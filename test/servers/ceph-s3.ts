// A throw-away Ceph S3 gateway for tests: one monitor, one OSD keeping objects in memory (memstore), radosgw
// with the beast frontend on a free 127.0.0.1 port, all state in a temp dir, cephx off. It checks SigV4 like
// AWS does (header and presigned), which is why tests use it rather than a mock. Ready in well under 2 s.
//
// Settings that matter (each was seen failing without it):
// - `ms mon client mode = crc`: with auth off, clients otherwise fail with "failed to fetch mon config".
// - `tcp_nodelay=1` on the beast frontend: otherwise each small response waits ~44 ms (Nagle + delayed ACK).
// - one placement group per pool and a fast paxos interval: radosgw creates its pools at start, and the
//   defaults (32 PGs per pool, 1 s proposals) make that take ~10 s instead of a fraction of one.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AwsClient } from "aws4fetch";
import { type Daemon, freePort, makeTempDir, removeDir, startDaemon, tailOf, waitUntil } from "./daemon.ts";

export interface CephS3 {
  // Path-style endpoint: http://127.0.0.1:<port>
  readonly endpoint: string;
  readonly port: number;
  readonly bucket: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  // Virtual-host style requests go to http://<bucket>.<dnsName>:<port>; the name only resolves through a
  // client that connects to 127.0.0.1 itself (see `rgw dns name`).
  readonly dnsName: string;
  readonly dir: string;
  readonly pids: { mon: number; osd: number; rgw: number };
  // Stops only radosgw (SIGKILL: a crash mid-request) and starts it again on the same port; objects survive
  // because they live in the OSD.
  restartGateway(options?: { downMs?: number }): Promise<void>;
  stopGateway(): Promise<void>;
  startGateway(): Promise<void>;
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

export interface CephS3Options {
  bucket?: string;
  region?: string;
  dnsName?: string;
  timeoutMs?: number;
}

export async function startCephS3(options: CephS3Options = {}): Promise<CephS3> {
  const dir = makeTempDir("ceph");
  const [monPort, rgwPort] = [await freePort(), await freePort()];
  const dnsName = options.dnsName ?? "s3.qmk-edge.test";
  const region = options.region ?? "us-east-1";
  const bucket = options.bucket ?? "qmk-edge-test";
  // Seconds when idle; a busy 2-core machine (issue 19) needs far more, and a bound only has to end a hang.
  const timeoutMs = options.timeoutMs ?? 120_000;
  for (const sub of ["mon", "osd", "rgw", "log", "run"]) mkdirSync(join(dir, sub));
  const conf = join(dir, "ceph.conf");
  writeFileSync(conf, cephConf({ dir, monPort, rgwPort, dnsName }));
  const env = { ...process.env, CEPH_CONF: conf };
  const log = (name: string) => join(dir, "log", `${name}.out`);
  const daemons: Daemon[] = [];
  const describe = () =>
    ["mon.out", "osd.out", "rgw.out", "client.rgw.r.log"]
      .map((f) => `--- ${f}\n${tailOf(join(dir, "log", f), 15)}`)
      .join("\n");

  const stopAll = async () => {
    for (const d of daemons.reverse()) await d.kill();
  };
  try {
    await run("ceph-mon", ["--id", "a", "--mkfs", "--keyring", "/dev/null"], env, log("mkfs"));
    const mon = startDaemon({ command: "ceph-mon", args: ["--id", "a", "-f"], logFile: log("mon"), env });
    daemons.push(mon);
    // Registers osd.0 in the map; the OSD places itself in the CRUSH tree when it boots.
    await run("ceph", ["--connect-timeout", "15", "osd", "create"], env, log("osd-create"));
    await run("ceph-osd", ["--id", "0", "--mkfs"], env, log("mkfs"));
    const osd = startDaemon({ command: "ceph-osd", args: ["--id", "0", "-f"], logFile: log("osd"), env });
    daemons.push(osd);
    let rgw = await launchGateway();
    daemons.push(rgw);

    const accessKeyId = `QE${randomBytes(9).toString("hex").toUpperCase()}`;
    const secretAccessKey = randomBytes(30).toString("base64url");
    await run(
      "radosgw-admin",
      [
        "user",
        "create",
        "--uid",
        "qmk-edge",
        "--display-name",
        "qmk-edge tests",
        "--access-key",
        accessKeyId,
        "--secret-key",
        secretAccessKey,
      ],
      env,
      log("radosgw-admin"),
    );
    const endpoint = `http://127.0.0.1:${rgwPort}`;
    const client = new AwsClient({ accessKeyId, secretAccessKey, region, service: "s3" });
    const createBucket = async (name: string) => {
      const res = await client.fetch(`${endpoint}/${name}`, { method: "PUT" });
      if (!res.ok) throw new Error(`create bucket ${name}: HTTP ${res.status} ${await res.text()}`);
      await res.body?.cancel();
    };
    await createBucket(bucket);

    async function launchGateway(): Promise<Daemon> {
      const gw = startDaemon({
        command: "radosgw",
        args: ["-n", "client.rgw.r", "-f"],
        logFile: log("rgw"),
        env,
      });
      await waitUntil(
        "radosgw",
        async () => {
          const res = await fetch(`http://127.0.0.1:${rgwPort}/`, { signal: AbortSignal.timeout(1000) });
          await res.body?.cancel();
          return true;
        },
        { timeoutMs, gone: gw.exited, describe },
      );
      return gw;
    }

    return {
      endpoint,
      port: rgwPort,
      bucket,
      region,
      accessKeyId,
      secretAccessKey,
      dnsName,
      dir,
      get pids() {
        return { mon: mon.pid, osd: osd.pid, rgw: rgw.pid };
      },
      async stopGateway() {
        await rgw.kill();
      },
      async startGateway() {
        rgw = await launchGateway();
        daemons.push(rgw);
      },
      async restartGateway({ downMs = 0 } = {}) {
        await rgw.kill();
        if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
        rgw = await launchGateway();
        daemons.push(rgw);
      },
      createBucket,
      async stop() {
        await stopAll();
        removeDir(dir);
      },
    };
  } catch (err) {
    await stopAll();
    const message = err instanceof Error ? err.message : String(err);
    removeDir(dir);
    throw new Error(`Ceph S3 gateway did not start: ${message}`);
  }
}

function cephConf(args: { dir: string; monPort: number; rgwPort: number; dnsName: string }): string {
  const { dir } = args;
  return `[global]
fsid = ${randomUUID()}
mon host = v2:127.0.0.1:${args.monPort}
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
mon warn on insecure global id reclaim allowed = false
mon warn on pool no redundancy = false
mon allow pool size one = true
mon data avail crit = 0
mon data avail warn = 0
paxos propose interval = 0.01
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 1
osd pool default pgp num = 1
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
run dir = ${dir}/run
admin socket = ${dir}/run/$name.asok
log file = ${dir}/log/$name.log
[mon.a]
mon data = ${dir}/mon
[osd.0]
osd data = ${dir}/osd
osd objectstore = memstore
memstore device bytes = 1073741824
osd class load list = *
osd class default list = *
[client.rgw.r]
rgw data = ${dir}/rgw
rgw frontends = beast endpoint=127.0.0.1:${args.rgwPort} tcp_nodelay=1
rgw dns name = ${args.dnsName}
rgw enable usage log = false
`;
}

// Runs a one-shot ceph tool to completion; its output goes to the log, and its exit code must be 0.
async function run(command: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): Promise<void> {
  const tool = startDaemon({ command, args, logFile, env });
  const timer = setTimeout(() => void tool.kill(), 30_000);
  const code = await tool.exited;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${command} ${args.join(" ")} exited with ${code}\n${tool.logTail()}`);
}
