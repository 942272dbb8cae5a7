import type { Redis } from "ioredis";
import { GROUP } from "./keys.ts";

export interface StreamEntry {
  stream: string;
  id: string;
  jobId: string;
}

export function toEntry(stream: string, id: string, fields: string[]): StreamEntry | null {
  const at = fields.indexOf("job");
  const jobId = at >= 0 ? fields[at + 1] : undefined;
  return jobId ? { stream, id, jobId } : null;
}

export async function dropEntry(redis: Redis, entry: { stream: string; id: string }): Promise<void> {
  await redis.multi().xack(entry.stream, GROUP, entry.id).xdel(entry.stream, entry.id).exec();
}
