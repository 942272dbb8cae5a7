// The build log users download and see as `output`. It must not show the agent's own paths: they may
// name a maintainer's home directory. Each known path becomes a placeholder, longest first, so a work dir
// inside the tree is replaced whole.
export function renderBuildLog(lines: string[], paths: Record<string, string>): string {
  let text = `${lines.join("\n")}\n`;
  const byLength = Object.entries(paths)
    .filter(([path]) => path.length > 1)
    .sort(([a], [b]) => b.length - a.length);
  for (const [path, label] of byLength) text = text.replaceAll(path, label);
  return text;
}
