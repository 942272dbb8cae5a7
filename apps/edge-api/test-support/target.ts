// The system under test for the shared route tests (src/**/*.test.ts). Each vitest project points the
// `#test-target` alias at its own implementation: target.worker.ts (workerd) or target.node.ts (Node).
// Tests import `{ target }` from "#test-target" and never a runtime directly.

import type { TEST_AGENT_TOKENS } from "./agent-tokens.ts";

export interface TargetRequestInit extends RequestInit {
  // The client address the API sees (rate limits key on it). Omitted: a fresh address per request, so
  // tests never share a rate-limit bucket by accident.
  clientIp?: string;
  // Workers: hand the Request to the Worker's fetch handler in this isolate, body stream and all, instead of
  // through the runtime's service binding (which turns a failing body into a short one). A body stream that
  // fails mid-way then reaches the route as a failing read, as a client that dropped mid-upload does.
  // Node ignores it: its requests always cross a real socket.
  direct?: boolean;
}

// The same app on the same state (store, queue, Durable Objects, Redis) with other settings: what a second
// deployment or process of the API does.
export interface TargetVariant {
  fetch(path: string, init?: TargetRequestInit): Promise<Response>;
  close(): Promise<void>;
}

export interface Target {
  readonly name: "workers" | "node";
  // Sends one request to the app; `path` starts with "/" ("/v1/compile").
  fetch(path: string, init?: TargetRequestInit): Promise<Response>;
  // A token the app accepts on /v1/agent/* (the documented local token, trusted).
  readonly agentToken: string;
  // Every agent token the app is configured with (test-support/agent-tokens.ts), and the operator token.
  readonly tokens: typeof TEST_AGENT_TOKENS;
  readonly operatorToken: string;
  // What an operator does to revoke a token: the app runs on without it in its configuration (Node: the API
  // process restarts with the new configuration; Workers: requests run with the new env, as after a
  // deployment). State (queue, leases, records) is kept.
  revokeAgentToken(token: string): Promise<void>;
  // The configuration the app runs with in tests.
  readonly firmwareVersion: string;
  readonly maxAttempts: number;
  readonly rateLimitPerMinute: number;
  // Expires every lease that ends before `now` (the alarm / reaper's job), instead of waiting for it.
  reapExpiredLeases(now: string): Promise<number>;
  // The app with these environment variables changed (Workers: the Worker's vars; Node: a second process).
  withEnv(vars: Record<string, string>): Promise<TargetVariant>;
  // The app with its job queue unreachable and everything else up (Workers: a Queue binding whose sends
  // fail and a Dispatcher object that cannot be reached; Node: a process whose REDIS_URL is a port nothing
  // listens on, with the same store).
  withQueueDown(): Promise<TargetVariant>;
  // Resolves once every accepted job is leasable (a no-op where enqueue already hands it over).
  deliverQueue(): Promise<void>;
}

export declare const target: Target;
