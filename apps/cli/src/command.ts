// What every command gets and returns. Commands write through `io` and return an exit code; only main.ts
// touches `process`.
export type CliIo = {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  stdin: AsyncIterable<Uint8Array | string>;
};

export type Command = {
  name: string;
  summary: string;
  usage: string;
  run: (args: string[], io: CliIo) => Promise<number>;
};

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
