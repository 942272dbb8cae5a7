import { execa } from "execa";

// git, run for tree management only (never inside a build). Prompts are off so a private URL without
// credentials fails at once instead of waiting for a terminal that is not there.

export class GitError extends Error {
  override name = "GitError";
}

export async function git(args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<string> {
  const res = await execa("git", args, {
    cwd: opts.cwd,
    reject: false,
    stdin: "ignore",
    timeout: opts.timeoutMs ?? 30 * 60_000,
    env: { GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "", LANG: "C", LC_ALL: "C" },
  });
  if (res.exitCode !== 0) {
    const why = String(res.stderr || res.stdout || res.shortMessage || `exit ${res.exitCode}`)
      .trim()
      .split("\n")
      .slice(-3)
      .join(" / ");
    throw new GitError(`git ${args.join(" ")} failed: ${why}`);
  }
  return res.stdout.trim();
}

export async function tryGit(args: string[], opts: { cwd?: string } = {}): Promise<string | null> {
  try {
    return await git(args, opts);
  } catch (err) {
    if (err instanceof GitError) return null;
    throw err;
  }
}
