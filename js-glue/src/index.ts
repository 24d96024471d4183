// pushsync for JavaScript: the WebAssembly sync engine with its timer, fetch and storage.
export { createSync, PERSIST_KEY, type Sync, type SettingsChange } from './sync.js';
export type { SyncOptions, TokenSource } from './options.js';
export { loadModule, type LoadOptions, type PushsyncModule, type Engine, type Client, type EngineView } from './module.js';
export { memoryStorage, type Storage } from './storage.js';
export { fileStorage } from './file-storage.js';
export { chromeStorage, type ChromeStorageArea } from './chrome-storage.js';
export type { FetchFunction } from './http.js';
export type { Listener } from './emitter.js';
export type * from './types.js';
