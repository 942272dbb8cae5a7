import { readFileSync } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { crc32, deflateRaw as deflateRawCb, deflateRawSync } from "node:zlib";

// A zip writer for trees of tens of thousands of files: one file at a time is read and deflated, so
// at most two files are open (the zip and one source) however many entries there are, then written in
// entry order with the central directory at the end. Output depends only on the entries (fixed
// timestamp, sorted by the caller), so equal inputs give byte-equal zips. Zip64 records are added when
// the entry count or offsets outgrow the classic format.
//
// Speed: a real tree is mostly small files, where four thread-pool round trips per file (open, stat,
// read, close) and one more to deflate cost far more than the work. Small files are read and deflated
// synchronously, in slices of the event loop of at most SLICE_MS so timers (heartbeats) keep running;
// large ones asynchronously. archiver, one lazily opened stream per entry, took 40 s for 50,000 files.

const deflateRaw = promisify(deflateRawCb);
const SMALL_FILE = 1024 * 1024;
const SLICE_MS = 20;

export interface ZipSource {
  name: string;
  mode: number; // unix permission bits
  path?: string; // read from disk when the zip reaches it...
  size?: number; // ...its size, when known, so large files are read one at a time
  content?: string | Buffer; // ...or these bytes
}

// 2000-01-01 00:00:00 in MS-DOS date/time fields.
const DOS_TIME = 0;
const DOS_DATE = ((2000 - 1980) << 9) | (1 << 5) | 1;
const UTF8_NAMES = 0x0800;
const MAX_ENTRY_BYTES = 0xfffffffe; // single entries stay below zip64 sizes

interface Prepared {
  name: Buffer;
  mode: number;
  crc: number;
  size: number;
  method: 0 | 8;
  data: Buffer;
}

function packed(e: ZipSource, raw: Buffer, data: Buffer | null): Prepared {
  if (raw.length > MAX_ENTRY_BYTES) throw new Error(`${e.name} is too large for a zip entry`);
  const deflated = data !== null && data.length < raw.length;
  return {
    name: Buffer.from(e.name, "utf8"),
    mode: e.mode,
    crc: crc32(raw),
    size: raw.length,
    method: deflated ? 8 : 0,
    data: deflated ? data : raw,
  };
}

function prepareSync(e: ZipSource, level: number): Prepared {
  const raw = e.content !== undefined ? Buffer.from(e.content) : readFileSync(e.path!);
  return packed(e, raw, level > 0 && raw.length > 0 ? deflateRawSync(raw, { level }) : null);
}

async function prepareAsync(e: ZipSource, level: number): Promise<Prepared> {
  const raw = await readFile(e.path!);
  return packed(e, raw, level > 0 && raw.length > 0 ? await deflateRaw(raw, { level }) : null);
}

function localHeader(p: Prepared): Buffer {
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt16LE(UTF8_NAMES, 6);
  h.writeUInt16LE(p.method, 8);
  h.writeUInt16LE(DOS_TIME, 10);
  h.writeUInt16LE(DOS_DATE, 12);
  h.writeUInt32LE(p.crc, 14);
  h.writeUInt32LE(p.data.length, 18);
  h.writeUInt32LE(p.size, 22);
  h.writeUInt16LE(p.name.length, 26);
  h.writeUInt16LE(0, 28);
  return Buffer.concat([h, p.name]);
}

function centralHeader(p: Prepared, offset: number): Buffer {
  const zip64 = offset >= 0xffffffff;
  const extra = zip64 ? Buffer.alloc(12) : Buffer.alloc(0);
  if (zip64) {
    extra.writeUInt16LE(0x0001, 0);
    extra.writeUInt16LE(8, 2);
    extra.writeBigUInt64LE(BigInt(offset), 4);
  }
  const h = Buffer.alloc(46);
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE((3 << 8) | (zip64 ? 45 : 20), 4); // made by: unix
  h.writeUInt16LE(zip64 ? 45 : 20, 6);
  h.writeUInt16LE(UTF8_NAMES, 8);
  h.writeUInt16LE(p.method, 10);
  h.writeUInt16LE(DOS_TIME, 12);
  h.writeUInt16LE(DOS_DATE, 14);
  h.writeUInt32LE(p.crc, 16);
  h.writeUInt32LE(p.data.length, 20);
  h.writeUInt32LE(p.size, 24);
  h.writeUInt16LE(p.name.length, 28);
  h.writeUInt16LE(extra.length, 30);
  h.writeUInt32LE(((0o100000 | p.mode) << 16) >>> 0, 38); // regular file + permissions
  h.writeUInt32LE(zip64 ? 0xffffffff : offset, 42);
  return Buffer.concat([h, p.name, extra]);
}

function endRecords(entries: number, cdOffset: number, cdSize: number): Buffer {
  const parts: Buffer[] = [];
  const zip64 = entries > 0xffff || cdOffset >= 0xffffffff || cdSize >= 0xffffffff;
  if (zip64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeUInt16LE((3 << 8) | 45, 12);
    rec.writeUInt16LE(45, 14);
    rec.writeBigUInt64LE(BigInt(entries), 24);
    rec.writeBigUInt64LE(BigInt(entries), 32);
    rec.writeBigUInt64LE(BigInt(cdSize), 40);
    rec.writeBigUInt64LE(BigInt(cdOffset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(cdOffset + cdSize), 8);
    locator.writeUInt32LE(1, 16);
    parts.push(rec, locator);
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(Math.min(entries, 0xffff), 8);
  eocd.writeUInt16LE(Math.min(entries, 0xffff), 10);
  eocd.writeUInt32LE(Math.min(cdSize, 0xffffffff), 12);
  eocd.writeUInt32LE(Math.min(cdOffset, 0xffffffff), 16);
  parts.push(eocd);
  return Buffer.concat(parts);
}

export async function writeZipFile(
  dest: string,
  entries: ZipSource[],
  opts: { level: number },
): Promise<void> {
  const fd = await open(dest, "w");
  try {
    let offset = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      const out = Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
      await fd.write(out, 0, out.length);
    };
    const write = async (buf: Buffer) => {
      pending.push(buf);
      pendingBytes += buf.length;
      offset += buf.length;
      if (pendingBytes >= 1024 * 1024) await flush();
    };
    const central: Buffer[] = [];
    let slice = performance.now();
    for (const e of entries) {
      const small = e.content !== undefined || (e.size !== undefined && e.size <= SMALL_FILE);
      const p = small ? prepareSync(e, opts.level) : await prepareAsync(e, opts.level);
      central.push(centralHeader(p, offset));
      await write(localHeader(p));
      await write(p.data);
      if (performance.now() - slice > SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        slice = performance.now();
      }
    }
    const cdOffset = offset;
    for (const c of central) await write(c);
    const cdSize = offset - cdOffset;
    await write(endRecords(central.length, cdOffset, cdSize));
    await flush();
  } finally {
    await fd.close();
  }
}
