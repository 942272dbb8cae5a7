// Keyboard build health (issue 21): idle trusted agents build each keyboard's default keymap of their
// firmware version and report the result; the API serves qmk_api's five routes from those reports, with
// qmk_api's field names (`works`, `last_tested` as Unix seconds, `message`).
import { z } from "zod";
import { agentId, firmwareVersion, keyboardName } from "./names.ts";

// The end of the build output kept per keyboard (qmk_api kept the whole compile output).
export const BUILD_HEALTH_MESSAGE_CHARS = 8192;

export const buildHealthClaimRequest = z.object({ agent_id: agentId, firmware_version: firmwareVersion });
export type BuildHealthClaimRequest = z.infer<typeof buildHealthClaimRequest>;

// 200 with the keyboard to build, or 204 when none is due (all fresh, switched off, or the hourly limit).
export const buildHealthClaim = z.object({
  keyboard: keyboardName,
  firmware_version: firmwareVersion,
  // The keyboard is not handed to another agent for this long; a report after it still counts.
  claim_seconds: z.number().int().positive(),
});
export type BuildHealthClaim = z.infer<typeof buildHealthClaim>;

export const buildHealthReport = z.object({
  firmware_version: firmwareVersion,
  keyboard: keyboardName,
  works: z.boolean(),
  message: z.string().max(BUILD_HEALTH_MESSAGE_CHARS),
});
export type BuildHealthReport = z.infer<typeof buildHealthReport>;

// One keyboard's last default-keymap build, as GET /v1/keyboards/<kb>/build_log answers it.
export const buildHealthEntry = z.object({
  works: z.boolean(),
  last_tested: z.number().int().nonnegative(),
  message: z.string(),
});
export type BuildHealthEntry = z.infer<typeof buildHealthEntry>;

export const buildStatusResponse = z.record(z.string(), z.boolean());
export const buildLogResponse = z.record(z.string(), buildHealthEntry);
export const buildSummaryResponse = z.record(z.string(), buildHealthEntry.omit({ message: true }));
export const buildErrorLogResponse = z.array(
  z.object({ severity: z.enum(["error", "warning"]), message: z.string(), keyboard: z.string().optional() }),
);
