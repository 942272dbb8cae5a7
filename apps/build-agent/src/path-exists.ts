import { access } from "node:fs/promises";

// Whether anything is at `path` (file, dir or a link that resolves), for checks that only branch on it.
export async function pathExists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
