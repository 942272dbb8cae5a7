import { existsSync } from "node:fs";

// Loaded with `node --import` into an agent process by agent-robustness.test.ts: once the file named by
// QE_TEST_CRASH_FILE appears, an error is thrown that nothing catches, the kind of failure (a stream's
// unhandled 'error' event) the agent must survive long enough to hand its leased jobs back.
const marker = process.env.QE_TEST_CRASH_FILE;
if (marker) {
  const timer = setInterval(() => {
    if (!existsSync(marker)) return;
    clearInterval(timer);
    throw new Error("injected by the test: nothing catches this");
  }, 50);
  timer.unref();
}
