// Counts the starts of this service worker in chrome.storage.session (kept across the worker's
// restarts, cleared with the browser): the debug panel shows it, and a restart is visible there.
const KEY = 'workerStarts';

export async function countWorkerStart(): Promise<number> {
  const stored = await chrome.storage.session.get(KEY);
  const starts = (typeof stored[KEY] === 'number' ? stored[KEY] : 0) + 1;
  await chrome.storage.session.set({ [KEY]: starts });
  return starts;
}
