// A compile of a keyboard whose default keymap did not build on this firmware when last tested says so in
// its output (build health). The keyboard is looked up as named and through the catalogue's aliases.
import type { Deps } from "../deps.ts";
import { knownBrokenNote } from "../jobs/build-health.ts";
import { readCurrentCatalogue } from "./current-catalogue.ts";

export async function buildHealthNote(deps: Deps, keyboard: string): Promise<string | null> {
  const version = deps.config.firmwareVersion;
  try {
    let entry = await deps.buildHealth.entry(version, keyboard);
    if (!entry) {
      const target = (await readCurrentCatalogue(deps.blobs, version))?.aliases.get(keyboard);
      if (target) entry = await deps.buildHealth.entry(version, target);
    }
    return entry && !entry.works ? knownBrokenNote(keyboard, version, entry) : null;
  } catch (err) {
    // A note is advice: a store that cannot answer must not refuse the compile.
    console.error("build health unavailable; compiling without the note", err);
    return null;
  }
}
