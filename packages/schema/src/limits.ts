// Bounds every process enforces the same way: the one table of limits (constants elsewhere are named views of
// these). Changing one is a wire change: update the README too.
export const LIMITS = {
  bodyBytes: 256 * 1024,
  keyboardChars: 128,
  keymapChars: 64,
  layers: 32,
  keysPerLayer: 512,
  keycodeChars: 128,
  freeTextChars: 16 * 1024,
  logTailChars: 64 * 1024,
  agentIdChars: 64,
  // keymap.json `encoders`: encoders per layer (QMK boards have a handful).
  encodersPerLayer: 32,
  // keymap.json `keycodes`: QMK numbers them from QK_USER_0, and there are 32 of those.
  customKeycodes: 32,
  customKeycodeAliases: 8,
  // Deeper JSON (or hjson in a firmware tree) parses fine but overflows the stack later (JSON.stringify,
  // structuredClone).
  jsonDepth: 64,
  // Keycodes nested in keycodes (`LT(1, LSFT(KC_A))`).
  keycodeDepth: 8,
  // Field errors in one answer; the last one says how many more there were.
  fieldErrors: 50,
  // The longest a lease request may wait for a job (long poll).
  leaseWaitMs: 25_000,
  // Community builds kept per content key while they wait for a second token to agree.
  cacheCandidates: 8,
  // keymap.json macros. QMK numbers them QK_MACRO_0 to QK_MACRO_31, so there are at most 32.
  macros: 32,
  macroSteps: 256,
  // One text step: C compilers need only accept string literals this long (C99 5.2.4.1).
  macroTextChars: 4095,
  macroKeycodes: 16,
  // send_string blocks the keyboard while it waits and reads the number into an `int` (16 bits on AVR).
  macroDelayMs: 10_000,
} as const;

// `tree` is the zip of the whole firmware tree a job built in, one object shared by every job of that
// firmware version (content-addressed like the rest, so it is stored and uploaded once).
export const ARTIFACT_KINDS = ["firmware", "source", "keymap", "log", "tree"] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

// The most an agent may upload per artifact kind; the API answers 413 beyond.
export const ARTIFACT_MAX_BYTES: Record<ArtifactKind, number> = {
  firmware: 8 * 1024 * 1024,
  source: 64 * 1024 * 1024,
  keymap: 512 * 1024,
  log: 2 * 1024 * 1024,
  tree: 1024 * 1024 * 1024,
};

export const ARTIFACT_CONTENT_TYPES: Record<ArtifactKind, string> = {
  firmware: "application/octet-stream",
  source: "application/zip",
  keymap: "application/json",
  log: "text/plain; charset=utf-8",
  tree: "application/zip",
};
