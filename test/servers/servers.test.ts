// The launchers themselves: each server answers once started, keeps its data across a restart where it
// should, and leaves no process or temp dir behind once stopped.
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { AwsClient } from "aws4fetch";
import { describe, expect, it } from "vitest";
import { startCephS3 } from "./ceph-s3.ts";
import { ping, startRedis } from "./redis.ts";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// One raw RESP command; enough to check the data survived without pulling a client into the launchers.
function redisCommand(port: number, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    let reply = "";
    socket.once("error", reject);
    socket.once("connect", () => {
      socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`);
    });
    socket.on("data", (chunk) => {
      reply += chunk.toString();
      if (reply.endsWith("\r\n")) {
        socket.destroy();
        resolve(reply.trim());
      }
    });
  });
}

describe("startRedis", () => {
  it("answers PING, keeps append-only data across a hard restart on the same port, and cleans up", async () => {
    const redis = await startRedis({ appendonly: true });
    expect(await ping(redis.port)).toBe(true);
    expect(await redisCommand(redis.port, "SET", "k", "v")).toBe("+OK");
    const firstPid = redis.pid;
    await redis.restart({ hard: true });
    expect(alive(firstPid)).toBe(false);
    expect(redis.pid).not.toBe(firstPid);
    expect(await redisCommand(redis.port, "GET", "k")).toBe("$1\r\nv");
    await redis.stop();
    expect(alive(redis.pid)).toBe(false);
    expect(await ping(redis.port)).toBe(false);
    expect(existsSync(redis.dir)).toBe(false);
  });
});

describe("startCephS3", () => {
  it("serves a bucket that checks signatures, survives a gateway restart, and stops every daemon", async () => {
    const started = Date.now();
    const ceph = await startCephS3();
    expect(Date.now() - started).toBeLessThan(15_000);
    const client = new AwsClient({
      accessKeyId: ceph.accessKeyId,
      secretAccessKey: ceph.secretAccessKey,
      region: ceph.region,
      service: "s3",
      retries: 0,
    });
    const url = `${ceph.endpoint}/${ceph.bucket}/hello.txt`;
    expect((await client.fetch(url, { method: "PUT", body: "hello" })).status).toBe(200);
    const forged = new AwsClient({ accessKeyId: ceph.accessKeyId, secretAccessKey: "wrong", service: "s3" });
    expect((await forged.fetch(url)).status).toBe(403);
    expect((await fetch(url)).status).toBe(403);

    const pids = ceph.pids;
    await ceph.restartGateway();
    expect(alive(pids.rgw)).toBe(false);
    expect(await (await client.fetch(url)).text()).toBe("hello");

    const all = Object.values(ceph.pids);
    await ceph.stop();
    for (const pid of all) expect(alive(pid)).toBe(false);
    expect(existsSync(ceph.dir)).toBe(false);
  }, 60_000);
});
