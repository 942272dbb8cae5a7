import {
  LeaseLostError,
  NotFoundError,
  StateConflictError,
  StoredRecordError,
  UnavailableError,
} from "../../../jobs/errors.ts";

// Durable Object RPC carries values, not error classes: failures travel as data and become errors again here.
export type Outcome<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      error: "not_found" | "lease_lost" | "conflict" | "stored_record" | "unavailable";
      message: string;
    };

export const ok = <T>(value: T): Outcome<T> => ({ ok: true, value });

export function outcomeOf(err: unknown): Outcome<never> {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof NotFoundError) return { ok: false, error: "not_found", message };
  if (err instanceof LeaseLostError) return { ok: false, error: "lease_lost", message };
  if (err instanceof StateConflictError) return { ok: false, error: "conflict", message };
  if (err instanceof StoredRecordError) return { ok: false, error: "stored_record", message };
  return { ok: false, error: "unavailable", message };
}

// The object's side: runs one call and turns what it throws into an Outcome. Failures the caller cannot act
// on are logged here, where their cause is still known.
export async function outcomeOfCall<T>(call: () => T | Promise<T>): Promise<Outcome<T>> {
  try {
    return ok(await call());
  } catch (err) {
    return failedOutcome(err);
  }
}

export function failedOutcome(err: unknown): Outcome<never> {
  const outcome = outcomeOf(err);
  if (!outcome.ok && (outcome.error === "unavailable" || outcome.error === "stored_record")) {
    console.error("dispatcher:", err);
  }
  return outcome;
}

export function unwrap<T>(outcome: Outcome<T>): T {
  if (outcome.ok) return outcome.value;
  if (outcome.error === "not_found") throw new NotFoundError(outcome.message);
  if (outcome.error === "lease_lost") throw new LeaseLostError(outcome.message);
  if (outcome.error === "conflict") throw new StateConflictError(outcome.message);
  if (outcome.error === "stored_record") throw new StoredRecordError(outcome.message);
  throw new UnavailableError(outcome.message);
}

// The object's side of a call whose steps already answer with an Outcome: a throw becomes one too.
export async function outcomeOrFailure<T>(call: () => Promise<Outcome<T>>): Promise<Outcome<T>> {
  try {
    return await call();
  } catch (err) {
    return failedOutcome(err);
  }
}
