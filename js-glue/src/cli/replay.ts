// `pushsync replay`: recorded frames through a bare engine, no network. The engine is brought to
// "subscribed" by a fake handshake (the answers a server and an app server would give), then each
// line goes in as a socket frame.
//
// Frames take the module's fast path: the line's UTF-8 bytes, as read from the file, are copied
// straight into a buffer the module owns (inputBuffer + socketTextFromBuffer), so no JavaScript
// string is made or marshalled per frame.
import { createReadStream } from 'node:fs';
import { loadModule } from '../module.js';
import type { Effect } from '../types.js';
import type { Engine, PushsyncModule } from '../wasm/pushsync.mjs';
import { optionalString, parse, required } from './args.js';
import { Failure } from './errors.js';
import { line, text, warn } from './output.js';

/** Replay has no clock: every input happens at the same instant, so no timer ever fires. */
const NOW = 1_000;
const NEWLINE = 0x0a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

export async function replay(argv: string[]): Promise<number> {
  const values = parse('replay', argv, {
    session: { type: 'string' },
    input: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  const session = required('replay', values, 'session');
  const input = optionalString(values, 'input') ?? '-';

  const mod = await loadModule();
  const engine = new mod.Engine();
  try {
    const socket = handshake(engine, session);
    const feeder = new Feeder(mod, engine, socket);
    const stream = input === '-' ? process.stdin : createReadStream(input);
    try {
      await feeder.feedStream(stream);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') throw new Failure(`cannot read ${input}: ${code}`);
      throw error;
    }
    printStore(engine);
    const counters = JSON.parse(engine.countersJson()) as { framesRejected: number };
    line({
      stats: {
        frames: feeder.frames,
        messages: engine.size(),
        rejected: feeder.rejected + counters.framesRejected,
        ms: Math.round(feeder.ms),
      },
    });
    return 0;
  } finally {
    engine.delete();
  }
}

/** Configure, select, and answer like Sockudo and the app server would; returns the socket id. */
function handshake(engine: Engine, session: string): number {
  const run = (input: object): Effect[] => JSON.parse(engine.handle(JSON.stringify(input), NOW)) as Effect[];
  const find = <T extends Effect['type']>(effects: Effect[], type: T, what: string): Extract<Effect, { type: T }> => {
    const found = effects.find((effect) => effect.type === type);
    if (!found) throw new Failure(`replay: the engine did not ${what} (effects: ${JSON.stringify(effects).slice(0, 300)})`);
    return found as Extract<Effect, { type: T }>;
  };
  run({
    type: 'configure',
    config: { apiBase: 'http://replay.invalid', wsHost: 'replay.invalid', wsPort: 443, appKey: 'replay', protocol: 7, jitterSeed: 1 },
  });
  run({ type: 'setToken', token: 'replay' });
  const socket = find(run({ type: 'selectSession', sessionId: session }), 'openSocket', 'open a socket').socket;
  run({ type: 'socketOpened', socket });
  const established = JSON.stringify({
    event: 'pusher:connection_established',
    data: JSON.stringify({ socket_id: '1.1', activity_timeout: 120 }),
  });
  const auth = find(JSON.parse(engine.socketText(socket, established, NOW)) as Effect[], 'httpRequest', 'ask for channel auth');
  const subscribe = find(run({ type: 'httpResult', id: auth.id, status: 200, body: '{"auth":"x:y"}' }), 'sendFrame', 'subscribe');
  const channel = (JSON.parse(subscribe.text) as { data: { channel: string } }).data.channel;
  const succeeded = JSON.stringify({ event: 'pusher_internal:subscription_succeeded', channel, data: '{}' });
  const backfill = find(JSON.parse(engine.socketText(socket, succeeded, NOW)) as Effect[], 'httpRequest', 'ask for the backfill');
  run({ type: 'httpResult', id: backfill.id, status: 200, body: '{"messages":[],"hasMore":false}' });
  if (engine.state() !== 'connected') throw new Failure(`replay: the engine did not subscribe (state ${engine.state()})`);
  return socket;
}

class Feeder {
  frames = 0;
  rejected = 0; // lines that are not JSON objects (the engine counts the frames it refuses)
  ms = 0;
  private lineNumber = 0;
  private pending: Buffer | undefined; // the start of a line cut by a chunk boundary
  private capacity = 0;
  private address = 0;
  private closedReported = false;

  constructor(
    private readonly mod: PushsyncModule,
    private readonly engine: Engine,
    private readonly socket: number,
  ) {}

  async feedStream(stream: NodeJS.ReadableStream): Promise<void> {
    for await (const chunk of stream) {
      const started = performance.now();
      this.feedChunk(chunk as Buffer);
      this.ms += performance.now() - started;
    }
    const started = performance.now();
    if (this.pending && this.pending.length > 0) this.feedLine(this.pending, 0, this.pending.length);
    this.pending = undefined;
    this.ms += performance.now() - started;
  }

  private feedChunk(chunk: Buffer): void {
    let data = chunk;
    if (this.pending) {
      data = Buffer.concat([this.pending, chunk]);
      this.pending = undefined;
    }
    let start = 0;
    for (let end = data.indexOf(NEWLINE, start); end !== -1; end = data.indexOf(NEWLINE, start)) {
      this.feedLine(data, start, end);
      start = end + 1;
    }
    if (start < data.length) this.pending = Buffer.from(data.subarray(start));
  }

  /** One line, bytes [start, end) of data, without its newline. */
  private feedLine(data: Buffer, start: number, end: number): void {
    this.lineNumber++;
    // Blank lines (and the spaces and \r around a line) are not frames.
    while (start < end && isSpace(data[start]!)) start++;
    while (end > start && isSpace(data[end - 1]!)) end--;
    if (start === end) return;
    this.frames++;
    if (data[start] !== OPEN_BRACE || data[end - 1] !== CLOSE_BRACE) {
      this.rejected++;
      warn(`line ${this.lineNumber}: rejected: not a JSON object: ${preview(data, start, end)}`);
      return;
    }
    const length = end - start;
    if (length > this.capacity) {
      this.capacity = Math.max(length, this.capacity * 2, 4096);
      this.address = this.engine.inputBuffer(this.capacity);
    }
    // HEAPU8 is read again for every frame: memory may have grown during the previous one.
    this.mod.HEAPU8.set(data.subarray(start, end), this.address);
    const effects = this.engine.socketTextFromBuffer(this.socket, length, NOW);
    if (effects.length > 2 && (effects.includes('"type":"error"') || effects.includes('"type":"closeSocket"'))) {
      this.explain(JSON.parse(effects) as Effect[]);
    }
  }

  private explain(effects: Effect[]): void {
    for (const effect of effects) {
      if (effect.type === 'error') {
        // bad_frame and bad_payload are the refusals the engine counts; others (a server_error
        // event, say) are worth seeing but were applied as what they are.
        const refused = effect.code === 'bad_frame' || effect.code === 'bad_payload';
        warn(`line ${this.lineNumber}: ${refused ? 'rejected: ' : ''}${effect.code}: ${effect.message}`);
      }
      if (effect.type === 'closeSocket' && !this.closedReported) {
        // A recorded pusher:error or the like: the engine dropped the replay's socket, so the
        // frames after this line change nothing. Said once.
        this.closedReported = true;
        warn(`line ${this.lineNumber}: the engine closed the socket (${effect.code} ${effect.reason}); later frames are ignored`);
      }
    }
  }
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0d;
}

function preview(data: Buffer, start: number, end: number): string {
  const text = data.toString('utf8', start, Math.min(end, start + 80));
  return JSON.stringify(end - start > 80 ? text + '...' : text);
}

/** The store in order, in chunks: a 100,000-message store is never one JSON string. */
function printStore(engine: Engine): void {
  const size = engine.size();
  const chunk = 2_000;
  for (let first = 0; first < size; first += chunk) {
    const messages = JSON.parse(engine.messagesJson(first, chunk)) as Array<Record<string, unknown>>;
    let out = '';
    for (const m of messages) {
      out +=
        JSON.stringify({
          id: m['messageId'],
          sequenceNumber: m['sequenceNumber'],
          role: m['role'],
          content: m['content'],
          status: m['status'],
          timestamp: m['timestamp'],
        }) + '\n';
    }
    text(out);
  }
}
