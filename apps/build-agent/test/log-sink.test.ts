import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Writable } from "node:stream";
import { afterEach, beforeEach, expect, test } from "vitest";
import { LogSink } from "../src/log-sink.ts";

// The agent's log sink on a real pipe whose reader has gone (EPIPE), as an agent's stderr is once the process
// reading it dies. The agent process itself on such a pipe is in agent-process.test.ts.

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "qmk-edge-log-sink-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const readers: ChildProcess[] = [];
afterEach(() => {
  for (const r of readers.splice(0)) r.kill("SIGKILL");
});

// The write end of a pipe whose only reader has closed it, and a count of the writes made to it.
async function closedPipe(): Promise<{ stream: Writable; writes: () => number }> {
  const reader = spawn("sh", ["-c", "exec 0<&-; echo closed; exec sleep 60"], {
    stdio: ["pipe", "pipe", "ignore"],
  });
  readers.push(reader);
  await new Promise((resolve) => reader.stdout!.once("data", resolve));
  const stream = reader.stdin!;
  let writes = 0;
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((...args: unknown[]) => {
    writes++;
    return write(...args);
  }) as Writable["write"];
  return { stream, writes: () => writes };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

test("after the first failed write every line goes to the file, in order, and the pipe is never written again", async () => {
  const { stream, writes } = await closedPipe();
  const file = join(dir, "work", "agent.log");
  const notes: string[] = [];
  const sink = new LogSink(stream, (problem, to) => notes.push(`${problem} -> ${to}`));
  sink.fallbackTo(file);

  sink.write("one\n");
  await settle();
  expect(sink.abandoned).toBe(true);
  for (let i = 0; i < 1000; i++) sink.write(`line ${i}\n`);
  await settle();

  expect(writes()).toBe(1);
  expect(notes).toEqual([expect.stringMatching(new RegExp(`^EPIPE: .* -> ${file}$`))]);
  const lines = (await readFile(file, "utf8")).trim().split("\n");
  expect(lines).toEqual(["one", ...Array.from({ length: 1000 }, (_, i) => `line ${i}`)]);
  expect(sink.dropped).toBe(0);
});

test("lines written before the failure is reported are not lost, and the failure is reported once", async () => {
  const { stream } = await closedPipe();
  const file = join(dir, "agent.log");
  let notes = 0;
  const sink = new LogSink(stream, () => notes++);
  sink.fallbackTo(file);
  // All in one tick: the pipe's error arrives after every one of these writes was handed to it.
  for (let i = 0; i < 20; i++) sink.write(`burst ${i}\n`);
  await settle();
  expect(notes).toBe(1);
  expect((await readFile(file, "utf8")).trim().split("\n").sort()).toEqual(
    Array.from({ length: 20 }, (_, i) => `burst ${i}`).sort(),
  );
});

test("with no file to fall back to, or a file that cannot be written, lines are counted as dropped; nothing throws", async () => {
  const { stream } = await closedPipe();
  const sink = new LogSink(stream, () => {});
  sink.write("lost\n");
  await settle();
  sink.write("lost too\n");
  expect(sink.dropped).toBe(2);

  // A directory where the file should be.
  sink.fallbackTo(dir);
  sink.write("nowhere\n");
  expect(sink.dropped).toBe(3);
});
