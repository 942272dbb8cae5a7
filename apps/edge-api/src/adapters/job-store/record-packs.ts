import { newId } from "../../jobs/job-id.ts";
import { recordJson } from "../../jobs/record-json.ts";
import type { BlobStore } from "../../ports/blob-store.ts";

// Records saved for the first time, a turn at a time: build-cache hits (finished at once) and new jobs
// (queued). A first record is written where no object of the job's existed, so the records made in one
// event-loop turn share one object, a pack, instead of one object each: on the directory store one file create
// per pack instead of a create and a rename per job (a create cost 15-270 µs on this machine's disk, by what was
// deleted in the minutes before), and one `served/` marker per token and pack instead of one link per hit and
// token. Every later write of a job's record (a lease, a heartbeat, a completion, an operator's purge mark) is
// the job's own object, and wins: a read looks there first. A job's id is its pack's id (16 hex characters)
// followed by 16 of its own, both from the CSPRNG like every id (jobs/job-id.ts): the id leads a read to its
// pack, and knowing one id of a pack tells nothing of another's. Only where one process answers many requests
// concurrently (Node): an isolate on Workers keeps one object per record (cross-request promises).

// The folder keeps the name it had when only cache hits were packed, so packs written before are still read.
export const packKey = (packId: string) => `hit-packs/${packId}.txt`;
// A `served/<token>/` marker naming a pack rather than a job: the pack's hits the token produced.
export const SERVED_PACK_SUFFIX = ".hits";

const PACK_ID_CHARS = 16;
const JOB_ID = /^[0-9a-f]{32}$/;
// A pack takes records until it holds this many, or this many characters (a record is ~2.5 KB; the directory
// store journals an object up to 256 KiB, fs-durable-write.ts SMALL_BODY_BYTES), then the turn starts another.
const MAX_MEMBERS = 64;
const MAX_CHARS = 128 * 1024;

// The pack a job id would be in (null for what is not a job id).
export function packIdOf(jobId: string): string | null {
  return JOB_ID.test(jobId) ? jobId.slice(0, PACK_ID_CHARS) : null;
}

// A pack is one line per record: its job's id, the tokens that produced its firmware (comma-separated; none
// for a new job), its record's JSON, tab-separated (JSON.stringify escapes every tab and newline inside a
// string; token ids have neither, nor commas: packages/schema names.ts). Indexed by id on its first lookup (a
// status poll of a queued job then finds its record without scanning the pack), not when saved: most packs
// are never read back in the process that saved them.
export class PackIndex {
  readonly #text: string;
  #members: Map<string, { tokens: string[]; record: string }> | null = null;

  constructor(text: string) {
    this.#text = text;
  }

  // The record the pack holds for `id` (undefined: none).
  record(id: string): string | undefined {
    return this.#index().get(id)?.record;
  }

  // The ids of the pack's hits whose firmware `token` produced.
  servedBy(token: string): string[] {
    return [...this.#index()].filter(([, member]) => member.tokens.includes(token)).map(([id]) => id);
  }

  #index(): Map<string, { tokens: string[]; record: string }> {
    if (this.#members) return this.#members;
    this.#members = new Map();
    for (const line of this.#text.split("\n")) {
      const idEnd = line.indexOf("\t");
      const tokensEnd = idEnd < 0 ? -1 : line.indexOf("\t", idEnd + 1);
      if (tokensEnd < 0) continue;
      const tokens = line.slice(idEnd + 1, tokensEnd);
      this.#members.set(line.slice(0, idEnd), {
        tokens: tokens === "" ? [] : tokens.split(","),
        record: line.slice(tokensEnd + 1),
      });
    }
    return this.#members;
  }
}

// What is saved with a record, in the same group commit: the tokens that produced a hit's firmware (each gets
// the pack's `served/` marker, so a purge of the token finds it) and the keys of empty objects that mark the
// job (a new job's `open/` marker), put before the pack.
export interface Marks {
  servedBy?: readonly string[];
  markers?: (id: string) => string[];
}

interface Member {
  line: string;
  tokens: readonly string[];
  markers: string[];
  resolve(): void;
  reject(err: unknown): void;
}

interface Pack {
  id: string;
  members: Member[];
  chars: number;
}

// A pack is saved at the end of the turn it was opened in, unless another is being saved then: it then takes
// the records of the turns until that save is done (as the journal's lines wait for a commit in flight), so a
// pack holds about what one journal commit does rather than one turn's records. A full pack is saved at once.
export class RecordPacks {
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

  // A first record, built for the id it is given here (`build` is a pure function of the id: a record too
  // large for the open pack is built again for the next one). `saved` resolves once the pack holding it, with
  // its marks, is durable.
  add<R extends { id: string }>(
    build: (id: string) => R,
    marks: Marks = {},
  ): { record: R; saved: Promise<void> } {
    let pack = this.#pack();
    let record = build(memberId(pack));
    let line = lineOf(record, marks);
    if (pack.members.length > 0 && pack.chars + line.length > MAX_CHARS) {
      this.#start();
      pack = this.#pack();
      record = build(memberId(pack));
      line = lineOf(record, marks);
    }
    const tokens = marks.servedBy ?? [];
    const markers = marks.markers?.(record.id) ?? [];
    const saved = new Promise<void>((resolve, reject) => {
      pack.members.push({ line, tokens, markers, resolve, reject });
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
    const served = new Set(pack.members.flatMap((m) => m.tokens));
    const markers = [
      ...pack.members.flatMap((m) => m.markers),
      ...[...served].map((token) => `served/${token}/${pack.id}${SERVED_PACK_SUFFIX}`),
    ];
    try {
      await Promise.all([
        ...markers.map((key) => this.#blobs.put(key, "", { contentType: "text/plain", firstWrite: true })),
        this.#blobs.put(packKey(pack.id), text, { contentType: "text/plain", firstWrite: true }),
      ]);
    } catch (err) {
      for (const m of pack.members) m.reject(err);
      return;
    }
    this.#saved(pack.id, text);
    for (const m of pack.members) m.resolve();
  }
}

function memberId(pack: Pack): string {
  return pack.id + newId().slice(0, 32 - PACK_ID_CHARS);
}

function lineOf(record: { id: string }, marks: Marks): string {
  return `${record.id}\t${(marks.servedBy ?? []).join(",")}\t${recordJson(record)}\n`;
}
