import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FaultProxy } from "./fault-proxy.ts";

// The proxy in front of a plain loopback HTTP service: what passes is unchanged, and each fault does
// what it says. (Agent tests put it in front of the real edge API.)

let upstream: Server;
let proxy: FaultProxy;
const seen: Array<{ path: string; length: string | undefined; closedEarly?: boolean }> = [];

beforeAll(async () => {
  upstream = createServer((req: IncomingMessage, res) => {
    const entry: (typeof seen)[number] = { path: req.url ?? "", length: req.headers["content-length"] };
    seen.push(entry);
    if (req.url === "/hang") {
      res.once("close", () => {
        entry.closedEarly = !res.writableFinished;
      });
      return;
    }
    const hash = createHash("sha256");
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      hash.update(chunk);
      size += chunk.length;
    });
    req.on("end", () => {
      if (req.url === "/big") {
        res.writeHead(200, { "content-type": "application/octet-stream" });
        for (let i = 0; i < 64; i++) res.write(Buffer.alloc(64 * 1024, i));
        res.end();
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ path: req.url, size, sha256: hash.digest("hex") }));
    });
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  proxy = await FaultProxy.start(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
});
afterAll(async () => {
  await proxy.close();
  upstream.closeAllConnections();
  await new Promise((r) => upstream.close(r));
});
beforeEach(() => {
  proxy.clearFaults();
  proxy.log.splice(0);
  seen.splice(0);
});

const get = (path: string, init?: RequestInit) => fetch(`${proxy.url}${path}`, init);

describe("what passes", () => {
  it("streams large bodies both ways and keeps the request's Content-Length", async () => {
    const body = randomBytes(3 * 1024 * 1024);
    const res = await get("/echo", { method: "PUT", body });
    expect(await res.json()).toEqual({
      path: "/echo",
      size: body.length,
      sha256: createHash("sha256").update(body).digest("hex"),
    });
    expect(seen[0]!.length).toBe(String(body.length));
    const big = Buffer.from(await (await get("/big")).arrayBuffer());
    expect(big.length).toBe(64 * 64 * 1024);
    expect(big[big.length - 1]).toBe(63);
    expect(proxy.exchanges({ path: "/echo" })[0]).toMatchObject({ method: "PUT", status: 200, fault: null });
  });

  it("hangs up on the service when the client hangs up", async () => {
    const ctl = new AbortController();
    const pending = get("/hang", { signal: ctl.signal }).catch((e: unknown) => e);
    await expect.poll(() => seen.some((s) => s.path === "/hang")).toBe(true);
    ctl.abort();
    await pending;
    await expect.poll(() => seen[0]!.closedEarly).toBe(true);
  });
});

describe("faults", () => {
  it("fail answers N matching requests itself, then lets them through", async () => {
    const fault = proxy.fail({ method: "GET", path: /^\/a/ }, { status: 502, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get("/a1")).status);
    expect(statuses).toEqual([502, 502, 200]);
    expect((await get("/b")).status).toBe(200);
    expect(fault.hits).toBe(2);
    expect(seen.map((s) => s.path)).toEqual(["/a1", "/b"]);
  });

  it("reset and a dropping partition end the connection without an answer", async () => {
    proxy.reset({ path: "/r" }, { times: 1 });
    await expect(get("/r")).rejects.toThrow();
    expect((await get("/r")).status).toBe(200);
    const cut = proxy.partition({ path: "/p" }, { mode: "drop" });
    await expect(get("/p")).rejects.toThrow();
    cut.clear();
    expect((await get("/p")).status).toBe(200);
    expect(seen.map((s) => s.path)).toEqual(["/r", "/p"]);
  });

  it("a holding partition keeps requests from the service until it heals", async () => {
    const cut = proxy.partition({ path: "/held" });
    const held = get("/held");
    await proxy.until(() => cut.hits === 1, "the request to be held");
    expect((await get("/other")).status).toBe(200);
    expect(seen.map((s) => s.path)).toEqual(["/other"]);
    cut.clear();
    expect((await held).status).toBe(200);
    expect(seen.map((s) => s.path)).toEqual(["/other", "/held"]);

    proxy.partition({ path: "/healing" }, { forMs: 50 });
    expect((await get("/healing")).status).toBe(200);
  });

  it("delay forwards a request late: a later request overtakes it", async () => {
    proxy.delay({ path: "/slow" }, { ms: 300, times: 1 });
    const slow = get("/slow");
    await proxy.until(() => proxy.exchanges({ path: "/slow" }).length === 1, "the slow request");
    await get("/fast");
    await slow;
    expect(seen.map((s) => s.path)).toEqual(["/fast", "/slow"]);
  });

  it("replace forwards the request and changes the answer; undefined lets the answer through uncounted", async () => {
    const fault = proxy.replace(
      { path: /^\/x/ },
      {
        times: 1,
        answer: (up) => (up.body.includes("/x2") ? { status: 201, body: { replaced: true } } : undefined),
      },
    );
    expect(await (await get("/x1")).json()).toMatchObject({ path: "/x1" });
    expect(fault.hits).toBe(0);
    const res = await get("/x2");
    expect([res.status, await res.json()]).toEqual([201, { replaced: true }]);
    expect(fault.hits).toBe(1);
    expect(await (await get("/x3")).json()).toMatchObject({ path: "/x3" });
    expect(seen.map((s) => s.path)).toEqual(["/x1", "/x2", "/x3"]);
  });
});
