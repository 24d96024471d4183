// Pusher frames as Sockudo delivers them for the app server's events (double-encoded `data`), and
// NDJSON files of them for the replay tests.

export function message(sessionId, sequence, extra = {}) {
  // One second a message from 2026-11-29T00:00:00Z: as on a real server, time order is sequence order.
  return {
    messageId: `m${sequence}`,
    sequenceNumber: sequence,
    role: sequence % 2 ? 'user' : 'assistant',
    content: `message number ${sequence} in ${sessionId}: some text of a typical length for a chat line, é ✓`,
    status: 'sent',
    timestamp: new Date(Date.UTC(2026, 10, 29) + sequence * 1000).toISOString(),
    ...extra,
  };
}

export function newMessageFrame(sessionId, msg) {
  return JSON.stringify({
    event: 'new_message',
    channel: `private-session-${sessionId}`,
    data: JSON.stringify({ type: 'new_message', sessionId, message: msg }),
  });
}

/** Deterministic shuffle (mulberry32), so a failing run can be reproduced. */
export function shuffle(items, seed = 42) {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Frames for messages 1..count, each sent once plus every `duplicateEvery`-th sent twice, shuffled. */
export function shuffledFrames(sessionId, count, { duplicateEvery = 3, seed = 42 } = {}) {
  const frames = [];
  for (let sequence = 1; sequence <= count; sequence++) {
    const frame = newMessageFrame(sessionId, message(sessionId, sequence));
    frames.push(frame);
    if (sequence % duplicateEvery === 0) frames.push(frame);
  }
  return shuffle(frames, seed);
}
