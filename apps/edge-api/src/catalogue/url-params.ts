import { firmwareVersion, keyboardName, sha256Hex } from "@qmk-edge/schema";
import type { z } from "zod";
import { MalformedRequestError } from "../http/request-errors.ts";

// A URL segment that breaks its grammar is malformed (400, naming the field) and never looked up.
function parseParam(schema: z.ZodString, value: string | undefined, field: string): string {
  const parsed = schema.safeParse(value ?? "");
  if (parsed.success) return parsed.data;
  const rule = parsed.error.issues[0]?.message ?? "malformed";
  throw new MalformedRequestError(`malformed ${field} in the URL: ${rule}`, [{ path: field, message: rule }]);
}

export const parseKeyboardParam = (value: string | undefined) => parseParam(keyboardName, value, "keyboard");
export const parseSha256Param = (value: string | undefined) => parseParam(sha256Hex, value, "sha256");
export const parseFirmwareVersionParam = (value: string | undefined) =>
  parseParam(firmwareVersion, value, "firmware_version");
