// Calls `onGone` once the process that started this one has exited. The kernel then hands this process to
// init (or a subreaper), so its parent pid changes; Node has no parent-death signal (prctl), hence the poll,
// which costs one getppid() a second.
export function watchParent(onGone: () => void, intervalMs = 1000): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
