// Object storage for job records, cache entries and artifacts: R2 on Workers, S3 or a directory on Node.

export type BlobBody = ReadableStream<Uint8Array> | Uint8Array | string;

export interface BlobHead {
  size: number;
  contentType: string | null;
  // Lower-case hex sha256 of the content when the store knows it (stored as metadata at put time).
  sha256: string | null;
}

export interface BlobObject extends BlobHead {
  body: ReadableStream<Uint8Array>;
}

export interface PutOptions {
  contentType: string;
  // When given, the store verifies the bytes against it and refuses the write with DigestMismatchError.
  sha256?: string;
  // Exact byte length when known; stores that need it (S3 streaming PUT) rely on it.
  size?: number;
  // The key was never written before (a new job's record, a marker): a store with a write-ahead journal (the
  // directory store) may make the object durable there, in a group commit, instead of by its own fsync.
  // The promise to the caller is the same: once put resolves, the object is whole and durable.
  firstWrite?: boolean;
  // The caller serializes every write of this key (a job's record: under its job lock), so each put replaces
  // the one before it in a known order: the directory store may make such an overwrite durable in its journal
  // too. Same promise. Without it, concurrent puts of one key have no defined order.
  serialized?: boolean;
}

// Every implementation publishes an object whole or not at all, and throws UnavailableError (jobs/errors.ts,
// a 503 the caller retries) when the storage cannot take a write now: full, read-only, over quota, down.
export interface BlobStore {
  get(key: string): Promise<BlobObject | null>;
  // A small object (a record, a pointer) read whole as UTF-8 text, without a stream; stores that have a
  // cheaper way than get() offer it (readBlobText falls back to get()).
  getText?(key: string, options?: ReadOptions): Promise<string | null>;
  head(key: string): Promise<BlobHead | null>;
  put(key: string, body: BlobBody, options: PutOptions): Promise<BlobHead>;
  delete(key: string): Promise<void>;
  // The keys directly under a folder `prefix` (ending in "/"), in no particular order.
  list(prefix: string): Promise<string[]>;
  // How many keys are directly under a folder `prefix`, where the store can tell without listing them all
  // (the directory store, for the top folders it was told to count); a key written as a file of its own may
  // show up to 30 s late.
  countKeys?(prefix: string): Promise<number>;
  // Bytes left for new objects, where the store can tell (a directory: statfs); S3 and R2 cannot.
  freeBytes?(): Promise<number>;
}

export class DigestMismatchError extends Error {
  readonly expected: string;
  readonly actual: string | null;
  constructor(expected: string, actual: string | null) {
    super(`sha256 mismatch: expected ${expected}${actual ? `, got ${actual}` : ""}`);
    this.name = "DigestMismatchError";
    this.expected = expected;
    this.actual = actual;
  }
}

// The body size did not match the size the caller declared, or passed the store's limit.
export class BlobSizeError extends Error {
  override name = "BlobSizeError";
}

export interface ReadOptions {
  // The key is usually absent (a build-cache entry of a keymap never built): a store may ask in the way
  // that is cheaper when nothing is there (the directory store: a stat, not an open that throws ENOENT).
  likelyMissing?: boolean;
}

// The one way job records, cache entries and catalogue pointers are read: text in one piece.
export async function readBlobText(
  blobs: BlobStore,
  key: string,
  options?: ReadOptions,
): Promise<string | null> {
  if (blobs.getText) return await blobs.getText(key, options);
  const blob = await blobs.get(key);
  return blob ? await new Response(blob.body).text() : null;
}
