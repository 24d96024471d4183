// The server's clock for `timestamp`, `updatedAt` and `serverTime`.
//
// Clients poll with `since=<the newest updatedAt they have seen>` and the server answers
// `updatedAt > since`. That cursor is only exact when no later change can carry a time that is
// equal to or older than one a client has already seen. So every reading is strictly later than the
// one before (at least 1 ms), even within one millisecond or when the system clock steps back.
// better-sqlite3 is synchronous, so a write takes its time and commits within one turn of the
// event loop: the order of the times is the order of the commits (within this one process).

/** Formats milliseconds since the epoch as ISO-8601 UTC with milliseconds ("2026-11-29T13:05:11.123Z"). */
export function isoTime(ms) {
  return new Date(ms).toISOString();
}

/**
 * Creates a clock whose `tick()` answers strictly increasing milliseconds since the epoch.
 * @param {() => number} now the wall clock (tests pass a fake one)
 */
export function createClock(now = Date.now) {
  let last = 0;
  return {
    tick() {
      last = Math.max(now(), last + 1);
      return last;
    },
  };
}
