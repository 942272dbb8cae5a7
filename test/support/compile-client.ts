// What a client does over HTTP, for tests: submit, read status, wait for an end state, fetch artifacts.
import { type CompileStatus, compileEnqueued, compileStatus } from "@qmk-edge/schema";

export async function submit(api: string, request: unknown): Promise<string> {
  const res = await fetch(`${api}/v1/compile`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(request),
  });
  const body = await res.json();
  if (res.status !== 200) throw new Error(`POST /v1/compile answered ${res.status}: ${JSON.stringify(body)}`);
  return compileEnqueued.parse(body).job_id;
}

export async function getStatus(api: string, id: string): Promise<CompileStatus> {
  const res = await fetch(`${api}/v1/compile/${id}`);
  if (res.status !== 200)
    throw new Error(`GET /v1/compile/${id} answered ${res.status}: ${await res.text()}`);
  return compileStatus.parse(await res.json());
}

// Polls until the job is finished or failed; `timeoutMs` only bounds a hang, it asserts nothing about speed.
export async function waitForEnd(api: string, id: string, timeoutMs = 120_000): Promise<CompileStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await getStatus(api, id).catch(() => null);
    if (status && (status.status === "finished" || status.status === "failed")) return status;
    if (Date.now() > deadline)
      throw new Error(`job ${id} did not end within ${timeoutMs} ms: ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function fetchBytes(url: string, init?: RequestInit): Promise<{ res: Response; bytes: Buffer }> {
  const res = await fetch(url, init);
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}
