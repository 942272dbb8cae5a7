import { DurableObject } from "cloudflare:workers";
import type { BuildHealthEntry } from "@qmk-edge/schema";
import { hourOf } from "../../../jobs/build-health.ts";
import type { BuildHealthBindings, BuildHealthRpc } from "./interface.ts";

// One object per firmware version: each keyboard's last default-keymap build, the keyboards handed out
// (claims) and the builds handed out per clock hour, in SQLite. One object runs one call at a time, so a
// keyboard is never handed to two agents.
export class BuildHealthObject extends DurableObject<BuildHealthBindings> implements BuildHealthRpc {
  readonly #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: BuildHealthBindings) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(`
      CREATE TABLE IF NOT EXISTS results (keyboard TEXT PRIMARY KEY, works INTEGER, last_tested INTEGER, message TEXT);
      CREATE TABLE IF NOT EXISTS claims (keyboard TEXT PRIMARY KEY, until INTEGER, agent_id TEXT);
      CREATE TABLE IF NOT EXISTS hours (hour INTEGER PRIMARY KEY, n INTEGER);
    `);
  }

  async summary(): Promise<Record<string, { works: boolean; last_tested: number }>> {
    const rows = this.#sql
      .exec<{ keyboard: string; works: number; last_tested: number }>(
        "SELECT keyboard, works, last_tested FROM results",
      )
      .toArray()
      .map((r) => [r.keyboard, { works: r.works === 1, last_tested: r.last_tested }]);
    return Object.fromEntries(rows);
  }

  async entries(): Promise<Record<string, BuildHealthEntry>> {
    const rows = this.#sql
      .exec<{ keyboard: string; works: number; last_tested: number; message: string }>(
        "SELECT keyboard, works, last_tested, message FROM results",
      )
      .toArray()
      .map((r) => [r.keyboard, { works: r.works === 1, last_tested: r.last_tested, message: r.message }]);
    return Object.fromEntries(rows);
  }

  async entry(keyboard: string): Promise<BuildHealthEntry | null> {
    const r = this.#sql
      .exec<{ works: number; last_tested: number; message: string }>(
        "SELECT works, last_tested, message FROM results WHERE keyboard = ?",
        keyboard,
      )
      .toArray()[0];
    return r ? { works: r.works === 1, last_tested: r.last_tested, message: r.message } : null;
  }

  async claim(
    due: string[],
    nowMs: number,
    claimMs: number,
    maxPerHour: number | null,
    agentId: string,
  ): Promise<string | null> {
    this.#sql.exec("DELETE FROM claims WHERE until <= ?", nowMs);
    const hour = hourOf(nowMs);
    this.#sql.exec("DELETE FROM hours WHERE hour < ?", hour);
    const n = this.#sql.exec<{ n: number }>("SELECT n FROM hours WHERE hour = ?", hour).toArray()[0]?.n ?? 0;
    if (maxPerHour !== null && n >= maxPerHour) return null;
    const held = new Set(
      this.#sql
        .exec<{ keyboard: string }>("SELECT keyboard FROM claims WHERE agent_id IS NOT ?", agentId)
        .toArray()
        .map((r) => r.keyboard),
    );
    const kb = due.find((k) => !held.has(k));
    if (kb === undefined) return null;
    this.#sql.exec(
      "INSERT OR REPLACE INTO claims (keyboard, until, agent_id) VALUES (?, ?, ?)",
      kb,
      nowMs + claimMs,
      agentId,
    );
    this.#sql.exec(
      "INSERT INTO hours (hour, n) VALUES (?, 1) ON CONFLICT(hour) DO UPDATE SET n = n + 1",
      hour,
    );
    return kb;
  }

  async report(keyboard: string, entry: BuildHealthEntry): Promise<void> {
    this.#sql.exec(
      "INSERT OR REPLACE INTO results (keyboard, works, last_tested, message) VALUES (?, ?, ?, ?)",
      keyboard,
      entry.works ? 1 : 0,
      entry.last_tested,
      entry.message,
    );
    this.#sql.exec("DELETE FROM claims WHERE keyboard = ?", keyboard);
  }
}
