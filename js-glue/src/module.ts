// Loading the WebAssembly module in Node, browsers, web workers and extension service workers.
//
// The module is built as ES6 for web and worker only (Emscripten 3.1.6's Node path uses
// `__dirname`, which an ES module does not have). Under Node its glue would `fetch()` a file path
// and fail, so here Node reads the .wasm next to the glue and hands it over as `wasmBinary`.
// Browsers fetch it relative to the glue, or wherever `locateFile` says (an extension passes
// `p => chrome.runtime.getURL(p)`).
import createPushsyncModule from './wasm/pushsync.mjs';
import type { ModuleOptions, PushsyncModule } from './wasm/pushsync.mjs';

export type { PushsyncModule, Engine, Client, EngineView } from './wasm/pushsync.mjs';

export interface LoadOptions {
  /** The bytes of pushsync.wasm, when the host has them already. */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** Maps "pushsync.wasm" to its URL (extensions: `p => chrome.runtime.getURL(p)`). */
  locateFile?: (path: string, prefix: string) => string;
}

let shared: Promise<PushsyncModule> | undefined;

/**
 * The module. Without options, one shared instance per JavaScript realm: engines are separate
 * objects inside it, so there is no reason to pay for compiling and instantiating twice.
 */
export function loadModule(options: LoadOptions = {}): Promise<PushsyncModule> {
  if (options.wasmBinary !== undefined || options.locateFile !== undefined) return instantiate(options);
  if (!shared) {
    shared = instantiate({});
    // A failed load (a missing file) must not be cached forever.
    shared.catch(() => {
      shared = undefined;
    });
  }
  return shared;
}

async function instantiate(options: LoadOptions): Promise<PushsyncModule> {
  const settings: ModuleOptions = { ...options };
  if (settings.wasmBinary === undefined && settings.locateFile === undefined && runsInNode()) {
    settings.wasmBinary = await readPackagedWasm();
  }
  return createPushsyncModule(settings);
}

function runsInNode(): boolean {
  return typeof process === 'object' && typeof process.versions?.node === 'string';
}

async function readPackagedWasm(): Promise<Uint8Array> {
  // Imported lazily so that browser bundles of this file never see a `node:` import at load time.
  const { readFile } = await import('node:fs/promises');
  return readFile(new URL('./wasm/pushsync.wasm', import.meta.url));
}
