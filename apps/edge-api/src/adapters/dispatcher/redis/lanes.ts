import type { JobRecord, LeaseRequest, Toolchain } from "@qmk-edge/schema";
import type { Redis } from "ioredis";
import type { RedisKeys } from "./keys.ts";

// The stream a job waits in: its toolchain's lane when known, else `any`.
export async function laneOf(redis: Redis, keys: RedisKeys, record: JobRecord): Promise<string> {
  const learned = await redis.hget(keys.keyboardToolchains, record.request.keyboard);
  const lane = record.toolchain ?? (learned === "avr" || learned === "arm" ? learned : "any");
  return keys.stream(record.firmware_version, lane);
}

export function lanesFor(keys: RedisKeys, request: LeaseRequest): string[] {
  const lanes: Array<Toolchain | "any"> = ["any", ...new Set(request.toolchains)];
  return lanes.map((lane) => keys.stream(request.firmware_version, lane));
}
