// The typed view of the embind surface of the WebAssembly module (wasm-bindings/bindings.cpp).
// The build copies this file next to dist/wasm/pushsync.mjs, so the shipped .d.ts files resolve it.
// Values cross as JSON text or numbers: one decode in JavaScript, no per-field embind calls.

/** Read access shared by the bare Engine and the Client. */
export interface EngineView {
  /** Milliseconds (on the clock the inputs were stamped with) of the next wanted tick; -1: none. */
  nextDeadline(): number;
  state(): string;
  stateReason(): string;
  stateCode(): string;
  loaded(): boolean;
  gapsJson(): string;
  sessionId(): string;
  socketId(): string;
  cursor(): number;
  size(): number;
  /** Messages [first, first + count) in order, as a JSON array of wire-shaped messages. */
  messagesJson(first: number, count: number): string;
  countersJson(): string;
  typingJson(): string;
  /** Frees the C++ object; it must not be used afterwards. */
  delete(): void;
}

/** The bare sans-IO engine: the host carries out every effect, sockets included. */
export interface Engine extends EngineView {
  handle(inputJson: string, nowMs: number): string;
  socketText(socket: number, text: string, nowMs: number): string;
  /** Room for `bytes` of UTF-8 in module memory; returns its address in HEAPU8. */
  inputBuffer(bytes: number): number;
  /** A socket frame of `length` bytes, written at inputBuffer()'s address. */
  socketTextFromBuffer(socket: number, length: number, nowMs: number): string;
  /**
   * Whether `messages` effects also carry `insertedMessages` and `updatedMessages` (the messages
   * at those positions, as the Client's always do). Off by default: the core's own effects JSON.
   */
  carryMessages(carry: boolean): void;
}

/** The engine with a real WebSocket (the global `WebSocket`); socket effects never reach JS. */
export interface Client extends EngineView {
  /**
   * Applies an input now; returns the effects that are not socket effects. Its `messages` effects
   * (and those given to onEffects) carry `insertedMessages` and `updatedMessages`.
   */
  handle(inputJson: string): string;
  /**
   * Where JavaScript may write `bytes` of UTF-8 (TextEncoder.encodeInto on HEAPU8, read again after
   * this call: memory may have grown) for `handleBuffer`.
   */
  inputBuffer(bytes: number): number;
  /** `handle` of the input JSON written in the input buffer (`length` bytes): no per-character copy. */
  handleBuffer(length: number): string;
  /** The clock inputs are stamped with (performance.now()). */
  now(): number;
}

export interface PushsyncModule {
  Engine: new () => Engine;
  /**
   * `onEffects` gets the effects of each socket event, their JSON as `length` bytes of UTF-8 at
   * `address` in HEAPU8 (read them during the call: the module reuses the buffer), with the
   * engine's `nextDeadline()`, `now()` (after the call) and `loaded()` as they are then; `onFrame`
   * (looked at once) gets every frame first.
   */
  Client: new (
    onEffects: (address: number, length: number, nextDeadline: number, now: number, loaded: boolean) => void,
    onFrame: ((text: string) => void) | null,
  ) => Client;
  version(): string;
  /** Module memory; replaced when memory grows, so read it again after any call into the module. */
  HEAPU8: Uint8Array;
}

export interface ModuleOptions {
  wasmBinary?: ArrayBuffer | Uint8Array;
  locateFile?: (path: string, prefix: string) => string;
  [option: string]: unknown;
}

declare function createPushsyncModule(options?: ModuleOptions): Promise<PushsyncModule>;
export default createPushsyncModule;
