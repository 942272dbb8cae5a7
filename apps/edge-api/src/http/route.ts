import type { Handler } from "hono";
import type { AppEnv } from "../deps.ts";

// One HTTP route; each file in routes/ exports its own, and app.ts registers them all.
export interface Route {
  method: "GET" | "POST" | "PUT";
  path: string;
  handler: Handler<AppEnv>;
}
