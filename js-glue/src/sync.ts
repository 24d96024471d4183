// createSync: the WebAssembly engine plus its real WebSocket (the module's Client), driven by one
// timer, fetch for HTTP effects and a Storage for the persisted state.
//
// Two rules keep the engine safe from its host:
// - Nothing of the host runs while the module is on the stack. The module calls `receive` from a
//   socket event; receive only reads the engine (diffs, deadline) and queues everything else
//   (listeners, fetch, storage) for a microtask. No input is ever given from inside a callback.
// - Host code never throws into the module or into the engine's bookkeeping: listeners, fetch,
//   storage and getToken are each caught and reported as 'error' events.
import { Emitter, describe, type Listener } from './emitter.js';
import { HttpRunner } from './http.js';
import { diffMessages, readRange } from './diff-messages.js';
import { MessageMirror } from './mirror.js';
import { loadModule } from './module.js';
import { checkOptions, engineConfig, requestTimeout, type SyncOptions } from './options.js';
import { memoryStorage, type Storage } from './storage.js';
import { DeadlineTimer } from './timer.js';
import type {
  ConnectionState,
  Counters,
  Effect,
  HttpRequestEffect,
  Message,
  MessagesDiff,
  Gap,
  StateCode,
  StateInfo,
  SyncEventName,
  SyncEvents,
} from './types.js';
import type { Client, PushsyncModule } from './wasm/pushsync.mjs';

/** Decodes the module's answers to socket events (UTF-8 in its memory). */
const utf8 = new TextDecoder();
const utf8Encoder = new TextEncoder();
/** Inputs this long or longer cross through the module's input buffer (see handleLarge). */
const BUFFERED_INPUT_CHARS = 4096;

/** The key the engine persists its state under (persisted_state.h). */
export const PERSIST_KEY = 'pushsync.state';

export interface Sync {
  /** Resolves once the module is loaded and the persisted state restored; rejects if loading failed. */
  readonly ready: Promise<void>;
  selectSession(sessionId: string): void;
  /**
   * The host's own copy of a session (what 'messages' and 'gaps' events showed it before a
   * restart): taken for the selected (or restored) session while its first read has not completed
   * and nothing is stored. They show at once (a 'messages' event), `loaded()` stays false until the
   * engine's first read, which asks only for what is newer. Give the gaps too: without them,
   * history the backend could not give would look loaded. Otherwise ignored; a copy that does not
   * decode is an 'error' event (`bad_restore`) and changes nothing.
   */
  restoreMessages(sessionId: string, messages: readonly Message[], gaps?: readonly Gap[]): void;
  /** Stop syncing; the messages stay readable. selectSession starts again. */
  stop(): void;
  setToken(token: string | null): void;
  /** Whether a view is open: drives the keepalive and brisk polling. */
  setVisible(visible: boolean): void;
  setOnline(online: boolean): void;
  /** Reload the newest page of the session now. */
  refresh(): void;
  /**
   * Changes settings at run time (server, key, protocol, engine settings): the engine reconnects
   * when the socket URL changed and keeps the session and its messages.
   */
  configure(changes: SettingsChange): void;
  /**
   * The session's messages in order, kept up to date by the diffs (do not modify). The first call
   * makes the Sync keep this JS list, a full copy of the engine's store, from then on; a host that
   * keeps its own list from the 'messages' events, or reads what it shows with readMessages, never
   * pays for it.
   */
  messages(): readonly Message[];
  /** How many messages the engine's store holds now. */
  messageCount(): number;
  /**
   * Messages [start, start + count) of the store as it is now (clamped to its size), read from
   * the engine as new objects; by default all from `start`. Their version is messagesVersion().
   */
  readMessages(start?: number, count?: number): Message[];
  /**
   * The `version` of the last diff the store has had (0 before any): 'messages' events with this
   * version or an older one describe changes that a read made now already shows.
   */
  messagesVersion(): number;
  state(): StateInfo;
  sessionId(): string;
  /** The Pusher socket id of the established connection ("" when there is none). */
  socketId(): string;
  typing(): { isTyping: boolean; context: string };
  /** Where the backend could not give messages, and how many (see Gap). */
  gaps(): Gap[];
  /** Whether the selected session's first read completed (an empty session is loaded too). */
  loaded(): boolean;
  counters(): Counters;
  on<E extends SyncEventName>(event: E, fn: Listener<E>): void;
  off<E extends SyncEventName>(event: E, fn: Listener<E>): void;
  /**
   * Closes the socket, cancels the timer and requests, frees the engine. The promise settles
   * once every state the engine asked to persist is in storage (it never rejects: a failed write
   * was reported as an 'error' event); a host that exits after destroy awaits it.
   */
  destroy(): Promise<void>;
}

/**
 * Starts at once: listeners added right after this call see every event. Inputs given before
 * `ready` are applied, in order, after the persisted state was restored.
 */
export function createSync(options: SyncOptions): Sync {
  checkOptions(options);
  return new SyncHost(options);
}

type Input = { type: string; [field: string]: unknown };

/** The options `configure` may change; the rest (storage, fetch, module, token) are fixed at start. */
export type SettingsChange = Partial<
  Pick<SyncOptions, 'apiBase' | 'wsHost' | 'wsPort' | 'wsTls' | 'key' | 'protocol' | 'keepaliveSeconds' | 'pageLimit' | 'maxMessages' | 'engineConfig'>
>;

class SyncHost implements Sync {
  readonly ready: Promise<void>;
  private readonly events = new Emitter();
  /** The JS list of the messages, made by the first messages() call (see there). */
  private mirror: MessageMirror | undefined;
  /** The diffs the store has had (messagesVersion). */
  private version = 0;
  private readonly timer = new DeadlineTimer(
    () => this.apply({ type: 'tick' }),
    // Without a client (destroyed) the tick is dropped anyway: no reason to wait longer.
    () => this.client?.now() ?? Infinity,
  );
  private readonly http: HttpRunner;
  private readonly storage: Storage;
  private client: Client | undefined;
  /** The module's memory as it is now (a new view after each growth). */
  private heap: (() => Uint8Array) | undefined;
  private started = false;
  private early: Input[] = []; // the host's inputs given before the start was done
  private jobs: Array<() => void> = [];
  private draining = false;
  private drainScheduled = false;
  private inModule = false;
  private destroyed = false;
  private wasLoaded = false;
  private token: string | null = null; // as last given to the engine
  private persisting: Promise<void> = Promise.resolve();

  constructor(private options: SyncOptions) {
    this.storage = options.storage ?? memoryStorage();
    const fetchFn = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.http = new HttpRunner(fetchFn, requestTimeout(options));
    this.ready = this.start();
    // `ready` may never be awaited: a failed start is reported as an 'error' event anyway.
    this.ready.catch(() => {});
  }

  // ---- the public API ------------------------------------------------------------------------

  selectSession(sessionId: string): void {
    this.input({ type: 'selectSession', sessionId });
  }
  restoreMessages(sessionId: string, messages: readonly Message[], gaps: readonly Gap[] = []): void {
    this.input({ type: 'seed', sessionId, messages, gaps });
  }
  stop(): void {
    this.input({ type: 'stop' });
  }
  setToken(token: string | null): void {
    this.input({ type: 'setToken', token });
  }
  setVisible(visible: boolean): void {
    this.input({ type: 'visibility', visible });
  }
  setOnline(online: boolean): void {
    this.input({ type: 'network', online });
  }
  refresh(): void {
    this.input({ type: 'refresh' });
  }
  configure(changes: SettingsChange): void {
    const next = { ...this.options, ...changes };
    checkOptions(next);
    this.options = next;
    this.input({ type: 'configure', config: engineConfig(next) });
  }
  messages(): readonly Message[] {
    if (!this.mirror) {
      this.mirror = new MessageMirror();
      if (this.client) this.mirror.reload(this.client);
    }
    return this.mirror.messages;
  }
  messageCount(): number {
    return this.client?.size() ?? 0;
  }
  readMessages(start = 0, count = Infinity): Message[] {
    if (!(Number.isInteger(start) && start >= 0)) throw new RangeError(`readMessages: start must be an integer >= 0, not ${start}`);
    if (!(count === Infinity || (Number.isInteger(count) && count >= 0))) {
      throw new RangeError(`readMessages: count must be an integer >= 0, not ${count}`);
    }
    return this.client ? readRange(this.client, start, count) : [];
  }
  messagesVersion(): number {
    return this.version;
  }
  state(): StateInfo {
    if (!this.client) return { state: 'disconnected', code: 'not_started', reason: 'Not started' };
    return { state: this.client.state() as ConnectionState, code: this.client.stateCode() as StateCode, reason: this.client.stateReason() };
  }
  sessionId(): string {
    return this.client?.sessionId() ?? '';
  }
  socketId(): string {
    return this.client?.socketId() ?? '';
  }
  typing(): { isTyping: boolean; context: string } {
    if (!this.client) return { isTyping: false, context: '' };
    return JSON.parse(this.client.typingJson()) as { isTyping: boolean; context: string };
  }
  gaps(): Gap[] {
    if (!this.client) return [];
    return JSON.parse(this.client.gapsJson()) as Gap[];
  }
  loaded(): boolean {
    return this.client?.loaded() ?? false;
  }
  counters(): Counters {
    if (!this.client) {
      const zero = { framesReceived: 0, framesRejected: 0, messagesInserted: 0, duplicates: 0, socketsOpened: 0 };
      const reads = { messagesRejected: 0, restMessages: 0, replies: 0, replyMessages: 0, gapsFound: 0 };
      return { ...zero, ...reads, reconnects: 0, authRequests: 0, syncs: 0, resumes: 0, cursor: 0, protocol: 0, dialect: 'auto' };
    }
    return JSON.parse(this.client.countersJson()) as Counters;
  }
  on<E extends SyncEventName>(event: E, fn: Listener<E>): void {
    this.events.on(event, fn);
  }
  off<E extends SyncEventName>(event: E, fn: Listener<E>): void {
    this.events.off(event, fn);
  }

  destroy(): Promise<void> {
    if (this.destroyed) return this.persisting;
    this.destroyed = true;
    this.timer.clear();
    this.http.abortAll();
    this.jobs = [];
    this.early = [];
    const client = this.client;
    this.client = undefined;
    // Deleting the Client closes its socket and detaches the socket's callbacks. Never while one
    // of its methods is running (a synchronous callback that called destroy()).
    if (client && this.inModule) queueMicrotask(() => client.delete());
    else client?.delete();
    return this.persisting;
  }

  // ---- start -----------------------------------------------------------------------------------

  private async start(): Promise<void> {
    // The token and the persisted state are asked for while the module loads: in a worker that
    // Chrome just started, each is a storage round trip that would otherwise come after the other.
    const tokenRead = this.options.token !== undefined ? Promise.resolve(this.options.token) : this.askToken();
    const savedRead = this.storage.get(PERSIST_KEY).catch((error: unknown) => {
      this.report('storage', `reading ${PERSIST_KEY} failed: ${describe(error)}`);
      return null;
    });
    try {
      const mod = await this.module();
      if (this.destroyed) return;
      this.heap = () => mod.HEAPU8;
      this.client = new mod.Client(
        // The answer is read out of module memory at once: the module reuses its buffer.
        (address: number, length: number, deadline: number, now: number, loaded: boolean) =>
          this.fromSocket(utf8.decode(mod.HEAPU8.subarray(address, address + length)), deadline, now, loaded),
        this.options.onFrame ? (text: string) => this.queue(() => this.options.onFrame!(text)) : null,
      );
    } catch (error) {
      this.report('load', `the WebAssembly module could not be loaded: ${describe(error)}`);
      throw error;
    }
    this.apply({ type: 'configure', config: engineConfig(this.options) });
    const token = await tokenRead;
    if (this.destroyed) return;
    this.apply({ type: 'setToken', token });
    const saved = await savedRead;
    if (this.destroyed) return;
    // Restore before the host's first selection: the engine restores only while no session is set.
    if (saved) this.apply({ type: 'restore', value: saved });
    this.started = true;
    const early = this.early;
    this.early = [];
    for (const input of early) this.apply(input);
  }

  private async module(): Promise<PushsyncModule> {
    const given = this.options.module;
    if (!given) return loadModule();
    if ('Client' in given || 'then' in given) return given as PushsyncModule | Promise<PushsyncModule>;
    return loadModule(given);
  }

  private async askToken(): Promise<string | null> {
    if (!this.options.getToken) return null;
    try {
      return (await this.options.getToken()) ?? null;
    } catch (error) {
      this.report('token', `getToken failed: ${describe(error)}`);
      return null;
    }
  }

  // ---- inputs and effects ----------------------------------------------------------------------

  /** An input from the host's API: held back until the start (restore) is done. */
  private input(input: Input): void {
    if (this.destroyed) return;
    if (!this.started) this.early.push(input);
    else this.apply(input);
  }

  private apply(input: Input): void {
    if (this.destroyed || !this.client) return;
    const client = this.client;
    if (input.type === 'setToken') this.token = (input['token'] as string | null | undefined) ?? null;
    const text = JSON.stringify(input);
    const effects = this.fromModule(() => (text.length < BUFFERED_INPUT_CHARS ? client.handle(text) : this.handleLarge(client, text)));
    if (effects !== undefined && !this.destroyed) this.receive(effects, client.nextDeadline(), client.now(), client.loaded());
  }

  /**
   * A large input (a REST page, a session's copy) written into the module's input buffer by one
   * encodeInto: embind's std::string argument walks every character twice in JavaScript, which in
   * a freshly started worker, before the JIT, cost milliseconds per page.
   */
  private handleLarge(client: Client, text: string): string {
    const capacity = 3 * text.length; // UTF-8 takes at most 3 bytes per UTF-16 unit
    const address = client.inputBuffer(capacity);
    const heap = this.heap!(); // after inputBuffer: memory may have grown
    const { written } = utf8Encoder.encodeInto(text, heap.subarray(address, address + capacity));
    return client.handleBuffer(written);
  }

  /**
   * The module's answer to a socket event (the module is on the stack): what fromModule does,
   * without a closure per frame. The deadline, the clock and loaded() come with the effects.
   */
  private fromSocket(json: string, deadline: number, now: number, loaded: boolean): void {
    const outer = this.inModule;
    this.inModule = true;
    try {
      this.receive(json, deadline, now, loaded);
    } catch (error) {
      this.report('glue', describe(error));
    } finally {
      this.inModule = outer;
    }
  }

  /** Runs a call into (or from) the module, noting that the module is on the stack. */
  private fromModule<T>(call: () => T): T | undefined {
    const outer = this.inModule;
    this.inModule = true;
    try {
      return call();
    } catch (error) {
      this.report('glue', describe(error));
      return undefined;
    } finally {
      this.inModule = outer;
    }
  }

  /**
   * Takes a batch of effects: diffs and the deadline now, everything else queued. `deadline`,
   * `now` and `loaded` are the engine's right after the call that made them.
   */
  private receive(json: string, deadline: number, now: number, loaded: boolean): void {
    if (this.destroyed || !this.client) return;
    const effects = JSON.parse(json) as Effect[];
    // Several diffs in one answer (an input deferred inside the module) can be applied one after
    // the other only when each carries its messages; otherwise only the last store is readable.
    let diffs = 0;
    if (effects.length > 1) {
      for (const effect of effects) if (effect.type === 'messages' && effect.insertedMessages === undefined) diffs++;
    }
    // That last store, read once for all of the answer's diffs.
    let whole: Message[] | undefined;
    const lastStore = () => (whole ??= readRange(this.client!, 0, this.client!.size()));
    for (const effect of effects) {
      switch (effect.type) {
        case 'messages':
          this.onMessages(effect, diffs > 1 ? lastStore : undefined);
          break;
        case 'httpRequest':
          this.queue(() => this.runHttp(effect));
          break;
        case 'persist':
          this.persist(effect.key, effect.value);
          break;
        case 'state': {
          const { state, code, reason } = effect;
          this.queue(() => this.events.emit('state', { state, code, reason }));
          if (code === 'auth_failed' && this.options.getToken) this.queue(() => void this.renewToken());
          break;
        }
        case 'typing': {
          const { sessionId, isTyping, context } = effect;
          this.queue(() => this.events.emit('typing', { sessionId, isTyping, context }));
          break;
        }
        case 'session': {
          const { sessionId, status } = effect;
          this.queue(() => this.events.emit('session', { sessionId, status }));
          break;
        }
        case 'gaps': {
          const { sessionId, gaps } = effect;
          this.queue(() => this.events.emit('gaps', { sessionId, gaps }));
          break;
        }
        case 'interactResponse': {
          const { sessionId, data } = effect;
          this.queue(() => this.events.emit('interactResponse', { sessionId, data }));
          break;
        }
        case 'error': {
          const { code, message } = effect;
          this.queue(() => this.events.emit('error', { code, message }));
          break;
        }
        default:
          break; // socket effects are the Client's own
      }
    }
    // 'loaded' once per selection, after the messages it brought.
    if (loaded && !this.wasLoaded) {
      const sessionId = this.client.sessionId();
      this.queue(() => this.events.emit('loaded', { sessionId }));
    }
    this.wasLoaded = loaded;
    this.timer.arm(deadline, now);
  }

  /** `lastStore`: the answer carries several diffs; it reads the store as it is after them. */
  private onMessages(effect: Extract<Effect, { type: 'messages' }>, lastStore?: () => Message[]): void {
    const client = this.client!;
    const { insertedMessages, updatedMessages } = effect;
    // The diff as its own object of one shape (what listeners see), without the carried messages.
    const diff: MessagesDiff = {
      sessionId: effect.sessionId,
      reset: effect.reset,
      removedFront: effect.removedFront,
      inserted: effect.inserted,
      updated: effect.updated,
      size: effect.size,
    };
    const carried = insertedMessages && updatedMessages ? { insertedMessages, updatedMessages } : undefined;
    let event: SyncEvents['messages'];
    const version = ++this.version;
    if (lastStore) {
      // One answer that carries several diffs (an input deferred inside the module): only the
      // last store is readable, so each is described as a reset to it.
      event = this.wholeStore(client, version, lastStore());
    } else {
      try {
        const { inserted, updated } = diffMessages(diff, client, carried);
        event = { diff, inserted, updated, version };
        if (this.mirror && !this.mirror.place(diff, event)) {
          this.mirror.reload(client);
          this.report('glue', 'the messages had drifted from the engine and were reloaded');
        }
      } catch (error) {
        this.report('glue', `a messages diff could not be read, the store was read whole: ${describe(error)}`);
        event = this.wholeStore(client, version);
      }
    }
    this.queue(() => this.events.emit('messages', event));
  }

  /** The store read whole, as a reset diff (the mirror, if kept, takes that list). */
  private wholeStore(client: Client, version: number, messages = readRange(client, 0, client.size())): SyncEvents['messages'] {
    this.mirror?.replace([...messages]);
    const size = messages.length;
    const diff = { sessionId: client.sessionId(), reset: true, removedFront: 0, inserted: [...Array(size).keys()], updated: [], size };
    return { diff, inserted: [...messages], updated: [], version };
  }

  private async runHttp(request: HttpRequestEffect): Promise<void> {
    const answer = await this.http.run(request);
    this.apply({ type: 'httpResult', id: request.id, status: answer.status, body: answer.body, retryAfterMs: answer.retryAfterMs });
  }

  /**
   * Starts the write at once (chained, so writes land in order, and never inside the module's
   * call: the chain runs it in a later microtask), so a destroy right after cannot drop it; the
   * event is queued like every other.
   */
  private persist(key: string, value: string): void {
    this.queue(() => this.events.emit('persist', { key, value }));
    this.persisting = this.persisting
      .then(() => this.storage.set(key, value))
      .catch((error: unknown) => this.report('storage', `saving ${key} failed: ${describe(error)}`));
  }

  private async renewToken(): Promise<void> {
    const token = await this.askToken();
    if (token !== null && token !== this.token) this.setToken(token);
  }

  // ---- the job queue ---------------------------------------------------------------------------

  private queue(job: () => void): void {
    this.jobs.push(job);
    if (!this.drainScheduled && !this.draining) {
      this.drainScheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  /**
   * Runs queued jobs in order; jobs queued meanwhile (by a listener's input) run in this loop too.
   * The queue is taken whole and walked by index: shift() on a queue of thousands (a burst of
   * frames before the microtask) was most of the public API's cost at 10,000 frames.
   */
  private flush(): void {
    this.drainScheduled = false;
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.jobs.length > 0 && !this.destroyed) {
        const jobs = this.jobs;
        this.jobs = [];
        for (let i = 0; i < jobs.length && !this.destroyed; i++) {
          try {
            jobs[i]!();
          } catch (error) {
            this.events.emit('error', { code: 'glue', message: describe(error) });
          }
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private report(code: string, message: string): void {
    this.queue(() => this.events.emit('error', { code, message }));
  }
}
