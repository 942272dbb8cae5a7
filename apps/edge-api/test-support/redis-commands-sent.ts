import type { RedisDispatcher } from "../src/adapters/dispatcher/redis/dispatcher.ts";

// The commands the dispatcher's command connection sends while `fn` runs (a MULTI counts its MULTI, each
// command and EXEC, as Redis parses each).
export async function commandsOf<T>(
  d: RedisDispatcher,
  fn: () => Promise<T>,
): Promise<{ result: T; sent: string[] }> {
  const sent: string[] = [];
  const redis = d.redis as unknown as { sendCommand: (command: { name: string }) => unknown };
  const original = redis.sendCommand;
  redis.sendCommand = function (this: unknown, command: { name: string }, ...rest: unknown[]) {
    sent.push(command.name);
    return (original as (...args: unknown[]) => unknown).call(this, command, ...rest);
  } as typeof original;
  try {
    return { result: await fn(), sent };
  } finally {
    redis.sendCommand = original;
  }
}
