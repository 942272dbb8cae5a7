import type { CompileStatus } from "@qmk-edge/schema";

// One line per state change: rewritten in place on a terminal, appended otherwise (logs, CI).
export class Progress {
  readonly #write: (text: string) => void;
  readonly #tty: boolean;
  readonly #start = Date.now();
  #last = "";

  constructor(write: (text: string) => void, tty: boolean) {
    this.#write = write;
    this.#tty = tty;
  }

  update(status: CompileStatus): void {
    const line = describe(status);
    if (line === this.#last) return;
    this.#last = line;
    const elapsed = ((Date.now() - this.#start) / 1000).toFixed(1);
    if (this.#tty) this.#write(`\r\x1b[2K${line} (${elapsed} s)`);
    else this.#write(`${line} (${elapsed} s)\n`);
  }

  done(): void {
    if (this.#tty && this.#last) this.#write("\n");
  }
}

export function describe(status: CompileStatus): string {
  switch (status.status) {
    case "queued": {
      const pos = status.queue_position;
      const retry = status.attempts ? `, attempt ${status.attempts + 1}` : "";
      return `queued${pos === null || pos === undefined ? "" : ` (position ${pos + 1})`}${retry}`;
    }
    case "running":
      return `running${status.stage ? `: ${status.stage}` : ""}`;
    case "finished":
      return status.cached ? "finished (from the build cache)" : "finished";
    case "failed":
      return "failed";
  }
}
