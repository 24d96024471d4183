// Generated Pusher `new_message` frames, the same for every variant of a benchmark: seeded, so every
// run (and every machine) sees the very same bytes.
//
// A frame is what Sockudo sends a subscriber: {"event":"new_message","channel":"private-session-<id>",
// "data":"<the event's JSON, as a string>"} (Pusher double-encodes `data`). The event is the app
// server's (docs/server.md): {type, sessionId, message: {messageId, role, content, status,
// timestamp, sequenceNumber, updatedAt, actionPayload?}}. Bodies vary in length (a few words to a
// few thousand characters), mix scripts (accents, Greek, Cyrillic, CJK, Hebrew, emoji), and carry
// quotes, apostrophes, backslashes, tabs and newlines, so both JSON levels have escapes to undo.

/** sfc32: a small, fast, seedable PRNG (same sequence on every engine). */
export function prng(seed) {
  let a = 0x9e3779b9 ^ seed;
  let b = 0x243f6a88 ^ (seed * 31);
  let c = 0xb7e15162 ^ (seed * 131);
  let d = 1;
  const next = () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 20; i++) next();
  return next;
}

const int = (random, lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
const pick = (random, list) => list[Math.floor(random() * list.length)];

/** A random (version 4 shaped) UUID from the seeded generator. */
export function uuid(random) {
  const hex = [];
  for (let i = 0; i < 32; i++) hex.push(Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = '89ab'[Math.floor(random() * 4)];
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}

const WORDS = (
  'the a to of and in is it you that for on with as are this be at have from or one had by but not what all ' +
  'were when we there can an your which their said if do will each about how up out them then she many some so ' +
  'these would other into has more her two like him see time could no make than first been its who now people ' +
  'message session server client socket reconnect backoff order sequence duplicate store sync push poll ' +
  'latency worker extension chrome token channel private event frame payload engine core assembly'
).split(' ');
const PHRASES = [
  'He said "hello" and left.',
  "It's fine, isn't it?",
  'She wrote: "the \\"quoted\\" part" twice.',
  'Path C:\\Users\\alice\\notes.txt was saved.',
  'Grüße aus München — naïve café, señor.',
  'Ελληνικά γράμματα και λέξεις.',
  'Привет, как дела? Всё хорошо.',
  '日本語のテキストと漢字を含むメッセージです。',
  '中文消息：同步完成，没有重复。',
  'שלום עולם, הודעה בעברית.',
  'Emoji 😀🚀🎉 and flags 🇫🇷🇯🇵 in one line.',
  'Math: ∑ x² ≤ ∞, α → β, 3 × 4 = 12.',
  'Tab\tseparated\tvalues\tand a bell-free line.',
  'Line one\nLine two\nLine three',
  '```js\nconst s = "a\\\\b";\nconsole.log(`${s}`);\n```',
  '<img src=x onerror=alert(1)> stays text.',
  "{\"json\": [1, 2, 3], \"inside\": true}",
  'Price: €12.50, £9, ¥1200, ₹300.',
];

/** Body lengths: mostly chat-sized, a tail of long answers (characters, roughly). */
function bodyLength(random) {
  const r = random();
  if (r < 0.4) return int(random, 8, 80);
  if (r < 0.8) return int(random, 80, 400);
  if (r < 0.95) return int(random, 400, 1500);
  return int(random, 1500, 4000);
}

export function body(random) {
  const target = bodyLength(random);
  let text = '';
  while (text.length < target) {
    if (text) text += random() < 0.1 ? '\n' : ' ';
    if (random() < 0.15) text += pick(random, PHRASES);
    else {
      const count = int(random, 3, 12);
      const words = [];
      for (let i = 0; i < count; i++) words.push(pick(random, WORDS));
      let sentence = words.join(' ');
      sentence = sentence[0].toUpperCase() + sentence.slice(1) + pick(random, ['.', '.', '.', '?', '!', '…']);
      text += sentence;
    }
  }
  return text;
}

const START = Date.UTC(2026, 0, 15, 9, 0, 0);

/**
 * One session's messages 1..n (the server's truth) and their frames.
 * @returns {{sessionId: string, messages: object[], frames: string[]}}
 */
export function messages(n, seed = 1) {
  const random = prng(seed);
  const sessionId = uuid(random);
  const list = [];
  let at = START;
  for (let sequence = 1; sequence <= n; sequence++) {
    at += int(random, 200, 5000);
    const assistant = sequence % 2 === 0;
    const timestamp = new Date(at).toISOString();
    const message = {
      messageId: uuid(random),
      role: assistant ? 'assistant' : 'user',
      content: body(random),
      status: assistant ? 'success' : 'sent',
      timestamp,
      sequenceNumber: sequence,
      updatedAt: assistant ? new Date(at + int(random, 50, 900)).toISOString() : timestamp,
    };
    if (assistant && random() < 0.3) message.actionPayload = { taskId: uuid(random), action: pick(random, ['echo', 'click', 'type', 'navigate']) };
    list.push(message);
  }
  return { sessionId, messages: list };
}

export function frame(sessionId, message) {
  const data = JSON.stringify({ type: 'new_message', sessionId, message });
  return JSON.stringify({ event: 'new_message', channel: `private-session-${sessionId}`, data });
}

/**
 * The benchmark's input: `n` messages as frames, `order` 'ordered' (1..n, each once) or
 * 'shuffled' (plus 10% duplicates of random messages, then a seeded Fisher-Yates shuffle).
 * `expectedIds`: every message id once, in sequence order (what a correct store holds).
 */
export function dataset(n, order, seed = 1) {
  const { sessionId, messages: list } = messages(n, seed);
  const frames = list.map((message) => frame(sessionId, message));
  let sequence = list.map((_, i) => i);
  if (order === 'shuffled') {
    const random = prng(seed * 7919 + n);
    const duplicates = Math.round(n * 0.1);
    for (let i = 0; i < duplicates; i++) sequence.push(Math.floor(random() * n));
    for (let i = sequence.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [sequence[i], sequence[j]] = [sequence[j], sequence[i]];
    }
  } else if (order !== 'ordered') {
    throw new Error(`unknown order ${order}`);
  }
  const ordered = sequence.map((i) => frames[i]);
  const encoder = new TextEncoder();
  const contentBytes = list.reduce((sum, m) => sum + encoder.encode(m.content).length, 0);
  const messageJsonBytes = list.reduce((sum, m) => sum + encoder.encode(JSON.stringify(m)).length, 0);
  return {
    n,
    order,
    seed,
    sessionId,
    frames: ordered,
    /** Index into `messages` of each frame (to compute the expected store of a prefix). */
    frameMessage: sequence,
    messages: list,
    expectedIds: list.map((m) => m.messageId),
    contentBytes,
    messageJsonBytes,
  };
}

/** The expected ids after the first `k` frames of a dataset: unique, in sequence order. */
export function expectedPrefix(data, k) {
  const seen = new Uint8Array(data.messages.length);
  for (let i = 0; i < k; i++) seen[data.frameMessage[i]] = 1;
  const ids = [];
  for (let i = 0; i < seen.length; i++) if (seen[i]) ids.push(data.messages[i].messageId);
  return ids;
}
