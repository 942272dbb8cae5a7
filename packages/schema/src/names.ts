import { z } from "zod";
import { LIMITS } from "./limits.ts";

// Names reach file paths and make targets, so they are held to a strict grammar rather than escaped.
export const keyboardName = z
  .string()
  .max(LIMITS.keyboardChars, `at most ${LIMITS.keyboardChars} characters`)
  .regex(/^[a-z0-9_]+(\/[a-z0-9_]+)*$/, "path segments of [a-z0-9_] joined by '/'");

export const keymapName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "1 to 64 characters of [A-Za-z0-9_-]");

export const layoutName = z
  .string()
  .max(LIMITS.keyboardChars)
  .regex(/^LAYOUT(_[A-Za-z0-9_]+)?$/, "LAYOUT or LAYOUT_<name>");

// 128 random bits as lower-case hex: unguessable, and safe in URLs, blob keys and file names.
export const jobId = z.string().regex(/^[0-9a-f]{32}$/, "32 lower-case hex characters");

export const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, "a sha256 digest in lower-case hex");

export const isoTimestamp = z.iso.datetime({ offset: true });

export const toolchain = z.enum(["avr", "arm"]);
export type Toolchain = z.infer<typeof toolchain>;

export const firmwareVersion = z
  .string()
  .regex(/^[A-Za-z0-9._@+-]{1,128}$/, "1 to 128 characters of [A-Za-z0-9._@+-]");

export const agentId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "1 to 64 characters of [A-Za-z0-9_.-]");

// Set by the operator per agent token: `trusted` (the operator's own fleet) or `community` (anyone's hardware).
// Only trusted results, or community results a second token reproduced byte for byte, enter the build cache.
export const agentTrust = z.enum(["trusted", "community"]);
export type AgentTrust = z.infer<typeof agentTrust>;

// The operator's name for an agent token (never the token or its hash): what leases, cache entries and
// `--purge-agent` refer to. It becomes a blob key segment, so it never starts with '.' or '-'.
export const tokenId = z
  .string()
  .regex(
    /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/,
    "1 to 64 characters of [A-Za-z0-9_.-], not starting with . or -",
  );
