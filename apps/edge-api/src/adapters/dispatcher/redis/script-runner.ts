import type { Redis } from "ioredis";

// A Lua script: `keys` is its number of KEYS, or -1 when the caller passes the count as the first argument.
export interface Script {
  keys: number;
  lua: string;
}

type ScriptFn = (...args: (string | number)[]) => Promise<unknown>;

// Registers each script as a command of this connection (ioredis sends EVALSHA, and EVAL once if Redis lost it).
export function defineScriptTable(redis: Redis, table: Record<string, Script>): void {
  for (const [name, script] of Object.entries(table)) {
    const numberOfKeys = script.keys >= 0 ? { numberOfKeys: script.keys } : {};
    redis.defineCommand(name, { lua: script.lua, ...numberOfKeys });
  }
}

export async function runScript(redis: Redis, name: string, args: (string | number)[]): Promise<unknown> {
  const fn = (redis as unknown as Record<string, ScriptFn>)[name];
  if (!fn) throw new Error(`script ${name} not defined`);
  return await fn.apply(redis, args);
}
