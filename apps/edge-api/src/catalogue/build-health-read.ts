// What the five build-health routes share: which firmware version a request asks about (?firmware_version=,
// else the one this API serves) and their answer headers (public, short-lived, as the catalogue's).
import type { Context } from "hono";
import type { AppEnv } from "../deps.ts";
import { parseFirmwareVersionParam } from "./url-params.ts";

export function requestedVersion(c: Context<AppEnv>): string {
  const asked = c.req.query("firmware_version");
  return asked === undefined ? c.get("deps").config.firmwareVersion : parseFirmwareVersionParam(asked);
}

export function healthJson(c: Context<AppEnv>, body: unknown): Response {
  c.header("Cache-Control", "public, max-age=60");
  return c.json(body as object);
}
