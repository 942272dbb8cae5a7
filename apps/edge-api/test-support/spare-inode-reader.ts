// A reader in a process of its own for test-node/fs-blob-store.spare-inodes.test.ts: reads one key of a
// directory store over and over until SIGTERM, then prints how many reads it made and each text that was not
// one of that key's objects (another key's, or half of one).
import { FsBlobStore } from "../src/adapters/blob-store/fs.ts";

const [dir, key] = process.argv.slice(2) as [string, string];
const store = new FsBlobStore(dir);
const own = new RegExp(`^"${key.replace(/^jobs\/|\.json$/g, "")}-[0-9-]+"$`);
let reads = 0;
const bad: string[] = [];
let stop = false;
process.on("SIGTERM", () => {
  stop = true;
});
process.stdout.write("ready\n");
while (!stop) {
  for (let i = 0; i < 200; i++) {
    const text = await store.getText(key);
    reads++;
    if (text === null || !own.test(text)) bad.push(String(text).slice(0, 80));
  }
  await new Promise((r) => setImmediate(r));
}
process.stdout.write(`${JSON.stringify({ reads, bad: bad.slice(0, 20) })}\n`);
