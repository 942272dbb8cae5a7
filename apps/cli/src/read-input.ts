import { open } from "node:fs/promises";
import { quoteInput } from "@qmk-edge/keymap";

export type InputRead = { ok: true; bytes: Uint8Array } | { ok: false; message: string };

// Reads at most maxBytes + 1 bytes, so an oversized file or stream is noticed without being read whole.
async function readStream(stream: AsyncIterable<Uint8Array | string>, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk;
    chunks.push(bytes);
    size += bytes.byteLength;
    if (size > maxBytes) break;
  }
  return Buffer.concat(chunks);
}

async function readFileLimited(path: string, maxBytes: number): Promise<Uint8Array> {
  const file = await open(path, "r");
  try {
    const buffer = new Uint8Array(maxBytes + 1);
    let size = 0;
    while (size < buffer.byteLength) {
      const { bytesRead } = await file.read(buffer, size, buffer.byteLength - size);
      if (bytesRead === 0) break;
      size += bytesRead;
    }
    return buffer.subarray(0, size);
  } finally {
    await file.close();
  }
}

const REASONS: Record<string, string> = {
  ENOENT: "no such file",
  EISDIR: "it is a directory",
  EACCES: "permission denied",
  EPERM: "permission denied",
};

// `-` is standard input. A file that cannot be read gives a message naming it, never a stack trace.
export async function readInput(
  source: string,
  stdin: AsyncIterable<Uint8Array | string>,
  maxBytes: number,
): Promise<InputRead> {
  try {
    const bytes =
      source === "-" ? await readStream(stdin, maxBytes) : await readFileLimited(source, maxBytes);
    return { ok: true, bytes };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "";
    const reason = REASONS[code] ?? (err instanceof Error ? err.message : String(err));
    return { ok: false, message: `cannot read ${quoteInput(source, 200)}: ${reason}` };
  }
}
