import { newId } from "../../jobs/job-id.ts";
import type { BlobStore } from "../../ports/blob-store.ts";

// Build-cache hits saved a turn at a time. A hit's record is written once and never again (unless an operator
// purges the token that built its firmware, which writes the record as its own object, and that wins), so
// the hits answered in one event-loop turn share one object, a pack, instead of one object each: on the
// directory store one file create per pack instead of a create and a rename per hit, and one `served/` marker
// per token and pack instead of one link per hit and token. A hit's id is its pack's id (16 hex characters)
// followed by 16 of its own, both from the CSPRNG like every id (jobs/job-id.ts): the id leads a read to its
// pack, and knowing one id of a pack tells nothing of another's. Only where one process answers many
// requests concurrently (Node): an isolate on Workers keeps one object per hit (cross-request promises).

export const hitPackKey = (packId: string) => `hit-packs/${packId}.txt`;
// A `served/<token>/` marker naming a pack rather than a job: the pack's hits the token produced.
export const SERVED_PACK_SUFFIX = ".hits";

const PACK_ID_CHARS = 16;
const JOB_ID = /^[0-9a-f]{32}$/;
// A pack takes hits until it holds this many, or this many characters (a record is ~2.5 KB; the directory
// store journals an object up to 256 KiB, fs-durable-write.ts SMALL_BODY_BYTES), then the turn starts another.
const MAX_MEMBERS = 64;
const MAX_CHARS = 128 * 1024;

// The pack a job id would be in (null for what is not a job id).
export function packIdOf(jobId: string): string | null {
  return JOB_ID.test(jobId) ? jobId.slice(0, PACK_ID_CHARS) : null;
}

// A pack is one line per hit: its id, the tokens that produced its firmware (comma-separated), its record's
// JSON, tab-separated (JSON.stringify escapes every tab and newline inside a string; token ids have neither,
// nor commas: packages/schema names.ts).
export function packMember(pack: string, id: string): string | null {
  const at = lineStart(pack, id);
  const tokensEnd = at < 0 ? -1 : pack.indexOf("\t", at + id.length + 1);
  if (tokensEnd < 0) return null;
  const end = pack.indexOf("\n", tokensEnd);
  return pack.slice(tokensEnd + 1, end < 0 ? pack.length : end);
}

function lineStart(pack: string, id: string): number {
  if (pack.startsWith(`${id}\t`)) return 0;
  const at = pack.indexOf(`\n${id}\t`);
  return at < 0 ? -1 : at + 1;
}

// The ids of the pack's hits whose firmware `token` produced.
export function packMembersServedBy(pack: string, token: string): string[] {
  const ids: string[] = [];
  for (const line of pack.split("\n")) {
    const [id, tokens] = line.split("\t", 2);
    if (id && tokens?.split(",").includes(token)) ids.push(id);
  }
  return ids;
}

interface Member {
  line: string;
  tokens: string[];
  resolve(): void;
  reject(err: unknown): void;
}

interface Pack {
  id: string;
  members: Member[];
  chars: number;
}

// A pack is saved at the end of the turn it was opened in, unless another is being saved then: it then takes
// the hits of the turns until that save is done (as the journal's lines wait for a commit in flight), so a
// pack holds about what one journal commit does rather than one turn's hits, and the file creates per hit
// fall (on this machine's disk a create cost 15-270 µs, by what was deleted in the minutes before). A full
// pack is saved at once.
export class HitPacks {
  readonly #blobs: BlobStore;
  // Told each pack's text once it is saved: it never changes, so readers may keep it.
  readonly #saved: (packId: string, text: string) => void;
  #current: Pack | null = null;
  #saving = 0;
  #turnEndScheduled = false;

  constructor(blobs: BlobStore, saved: (packId: string, text: string) => void) {
    this.#blobs = blobs;
    this.#saved = saved;
  }

  // A new hit: its record, built for the id it is given here, and the tokens that produced its firmware (each
  // gets the pack's `served/` marker, so a purge of the token finds it). `saved` resolves once the pack
  // holding it, with the markers, is durable.
  add<R extends { id: string }>(
    build: (id: string) => R,
    tokens: string[],
  ): { record: R; saved: Promise<void> } {
    const pack = this.#pack();
    const record = build(pack.id + newId().slice(0, 32 - PACK_ID_CHARS));
    const line = `${record.id}\t${tokens.join(",")}\t${JSON.stringify(record)}\n`;
    const saved = new Promise<void>((resolve, reject) => {
      pack.members.push({ line, tokens, resolve, reject });
    });
    pack.chars += line.length;
    if (pack.members.length >= MAX_MEMBERS || pack.chars >= MAX_CHARS) this.#start();
    else this.#atTurnEnd();
    return { record, saved };
  }

  #pack(): Pack {
    this.#current ??= { id: newId().slice(0, PACK_ID_CHARS), members: [], chars: 0 };
    return this.#current;
  }

  #atTurnEnd(): void {
    if (this.#turnEndScheduled) return;
    this.#turnEndScheduled = true;
    setImmediate(() => {
      this.#turnEndScheduled = false;
      if (this.#saving === 0) this.#start();
    });
  }

  #start(): void {
    const pack = this.#current;
    // Empty only when every record of it failed to build (add threw): nothing to save.
    if (!pack || pack.members.length === 0) return;
    this.#current = null;
    this.#saving++;
    void this.#save(pack).finally(() => {
      this.#saving--;
      if (this.#current) this.#atTurnEnd();
    });
  }

  // Markers first, then the pack, put together: a store with a journal makes them durable in one group commit.
  async #save(pack: Pack): Promise<void> {
    const text = pack.members.map((m) => m.line).join("");
    const tokens = new Set(pack.members.flatMap((m) => m.tokens));
    try {
      await Promise.all([
        ...[...tokens].map((token) =>
          this.#blobs.put(`served/${token}/${pack.id}${SERVED_PACK_SUFFIX}`, "", {
            contentType: "text/plain",
            firstWrite: true,
          }),
        ),
        this.#blobs.put(hitPackKey(pack.id), text, { contentType: "text/plain", firstWrite: true }),
      ]);
    } catch (err) {
      for (const m of pack.members) m.reject(err);
      return;
    }
    this.#saved(pack.id, text);
    for (const m of pack.members) m.resolve();
  }
}
