import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";
import type { AppEnv } from "../deps.ts";

export function socketClientIp(c: Context<AppEnv>): string | null {
  return getConnInfo(c).remote.address ?? null;
}

// Behind a reverse proxy: the address it appended last to X-Forwarded-For (the one it saw connect).
export function forwardedClientIp(c: Context<AppEnv>): string | null {
  const hops = (c.req.header("x-forwarded-for") ?? "").split(",").map((h) => h.trim());
  return hops.filter(Boolean).at(-1) ?? socketClientIp(c);
}
