import { appendFileSync, mkdirSync, renameSync } from "node:fs";
import { dirname } from "node:path";

// Where the agent's log lines go: its stderr until a write to it fails, then a file in the work dir.
//
// The rule (docs/architecture.md, "The agent's log"): a broken log stream is not a reason to stop building. A
// reader that went away (EPIPE: a supervisor or `npm start` that died, a log driver restarting) or a closed
// terminal (EIO) only changes where the log goes: from the first failed write on, every line (the failed one
// included) is appended to `<work-dir>/agent.log`, and the stream is never written again. So a failed write
// can neither throw nor loop: before, each failed write raised an 'error' nothing handled, whose report as an
// uncaught exception was itself a write to the same closed stream, about 10,000 times a second, forever.
// Stopping the agent is for signals (SIGTERM, SIGINT, SIGHUP) and for a parent that went away (main.ts).

// The fallback file is cut over to `<file>.1` at this size, so a long-lived agent cannot fill its disk.
const MAX_FILE_BYTES = 64 * 1024 * 1024;

export class LogSink {
  #stream: NodeJS.WritableStream | null;
  #file: string | null = null;
  #fileBytes = 0;
  #dropped = 0;
  readonly #onAbandon: (problem: string, file: string | null) => void;

  // `onAbandon` runs once, after the stream failed, to say so (its lines go to the file already).
  constructor(stream: NodeJS.WritableStream, onAbandon: (problem: string, file: string | null) => void) {
    this.#stream = stream;
    this.#onAbandon = onAbandon;
    stream.on("error", (err: unknown) => this.#abandon(err));
  }

  // The file lines go to once the stream has failed; until one is named they are counted and dropped.
  fallbackTo(file: string): void {
    this.#file = file;
  }

  get abandoned(): boolean {
    return this.#stream === null;
  }

  // Lines that could be written nowhere (no fallback named yet, or the file failed too).
  get dropped(): number {
    return this.#dropped;
  }

  // Never throws, never retries the stream.
  readonly write = (line: string): void => {
    const stream = this.#stream;
    if (stream) {
      try {
        stream.write(line, (err) => {
          if (!err) return;
          this.#abandon(err);
          this.#toFile(line);
        });
        return;
      } catch (err) {
        this.#abandon(err);
      }
    }
    this.#toFile(line);
  };

  #abandon(err: unknown): void {
    if (!this.#stream) return;
    this.#stream = null;
    const code = (err as NodeJS.ErrnoException | null)?.code;
    this.#onAbandon(code ? `${code}: ${String((err as Error).message)}` : String(err), this.#file);
  }

  #toFile(line: string): void {
    const file = this.#file;
    if (!file) {
      this.#dropped++;
      return;
    }
    try {
      if (this.#fileBytes > MAX_FILE_BYTES) {
        renameSync(file, `${file}.1`);
        this.#fileBytes = 0;
      }
      try {
        appendFileSync(file, line);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
        mkdirSync(dirname(file), { recursive: true });
        appendFileSync(file, line);
      }
      this.#fileBytes += Buffer.byteLength(line);
    } catch {
      this.#dropped++;
    }
  }
}
