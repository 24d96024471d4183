// chrome.alarms wakes the worker every 30 s (the API's minimum period since Chrome 120; Chrome
// 116-119 stretch it to a minute) when Chrome stopped it for being idle: the worker's start
// restores the engine from chrome.storage and backfills, and while it runs without push the wake-up
// doubles as the idle poll.
export const WAKE_ALARM = 'pushsync-wake';
const PERIOD_MINUTES = 0.5;

export async function ensureWakeAlarm(): Promise<void> {
  const existing = await chrome.alarms.get(WAKE_ALARM);
  if (!existing) await chrome.alarms.create(WAKE_ALARM, { periodInMinutes: PERIOD_MINUTES, delayInMinutes: PERIOD_MINUTES });
}
