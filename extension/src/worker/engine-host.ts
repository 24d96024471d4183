// The one sync engine of the extension and its only socket: a `createSync` (the WASM Client
// with its timer, fetch and storage) built from the settings in chrome.storage.local, and
// everything the views are told about it.
//
// - Persisted state goes to chrome.storage.local through the glue, so a worker that Chrome stopped
//   restores the selected session at its next start and backfills what it missed over REST.
// - A settings change (storage.onChanged) replaces the engine with one built from the new
//   settings; the selected session carries over. A new token is handed to the running engine.
// - Views open means visible: the engine pings every 20 s, well inside Chrome's 30 s idle window.
// - No engine for hosts Chrome gave no permission for (the user refused, or revoked it): the views
//   are told which origins are missing instead, and a grant (permissions.onAdded) starts it.
import { chromeStorage, createSync, PERSIST_KEY, type Message, type PushsyncModule, type Sync } from 'pushsync';
import { developerSettings, DEVELOPER_SETTINGS_KEY } from '../shared/developer-settings.js';
import { missingOrigins, noPermissionMessage } from '../shared/host-access.js';
import { requiredOrigins } from '../shared/hosts.js';
import { backend } from '../shared/backend-routes.js';
import { SNAPSHOT_MESSAGES, type Figures, type OutboxEntry, type SessionInfo, type Snapshot, type ToView } from '../shared/protocol.js';
import { ACCOUNT_KEY, resolveSettings, SETTING_KEYS, storedAccount, storedToken, TOKEN_KEY, type Settings } from '../shared/settings.js';
import { actionBadge } from './action-badge.js';
import { FigureTracker } from './figures.js';
import { LocalCopy, restoreInEngine, type CachedSession } from './local-copy.js';
import { copyOwner } from './local-copy-rules.js';
import { SessionListCache } from './session-cache.js';
import { SyncModel } from './sync-model.js';

/** Ping after this much silence while a view is open (Chrome stops an idle worker after 30 s). */
const KEEPALIVE_SECONDS = 20;
/** Figures reach the views at most this often. */
const FIGURES_EVERY_MS = 250;

export class EngineHost {
  readonly model = new SyncModel();
  readonly figures = new FigureTracker();
  /** The chats on disk (issue 10.1): shown at once on a start, and where the engine starts from. */
  readonly localCopy = new LocalCopy({
    error: (message) => this.broadcast({ type: 'error', ...this.model.noteError('local_copy', message) }),
    // What was kept for the previous owner (logged out, another account or server) goes with the
    // messages, and so does the engine's persisted selection: the new account may not see that
    // session. Told before the start that found the change creates its engine (which then reads
    // the persisted state: chrome.storage answers in order).
    wiped: () => {
      this.sessionList.wiped();
      actionBadge.wipe();
      this.outboxWiped();
      void chrome.storage.local.remove(PERSIST_KEY);
    },
  });
  /** The session list as last answered, for a view opened without a server; a new one makes views ask again. */
  readonly sessionList = new SessionListCache(this.localCopy, () => this.broadcast({ type: 'snapshot', ...this.snapshot() }));
  private sync: Sync | undefined;
  private settings: Settings | undefined;
  private token: string | null = null;
  private account = '';
  /** Origins of the settings without a host permission: while there are any, no engine runs. */
  private missing: string[] = [];
  private views = 0;
  /** The outbox's entries for snapshots (outbox.ts; background.ts connects it). */
  outboxEntries: () => OutboxEntry[] = () => [];
  /** The local copy was wiped (logged out, another account or server): so are the unsent messages. */
  outboxWiped: () => void = () => {};
  /** The selected session's last session_update (views show its status). */
  private sessionInfo: SessionInfo | null = null;
  private generation = 0;
  /**
   * The session a view asked for last. Kept by the host, not learnt from an engine's events: a
   * request that arrives while a settings change replaces the engine belongs to the new one (the
   * old one's events are no longer listened to, and it may not have persisted the selection yet).
   */
  private wantedSession = '';
  private figuresTimer: ReturnType<typeof setTimeout> | undefined;
  private markStarted!: () => void;
  /** Resolves once the first engine exists (settings read): requests wait for it. */
  readonly started = new Promise<void>((resolve) => {
    this.markStarted = resolve;
  });

  constructor(
    private readonly module: Promise<PushsyncModule>,
    private readonly broadcast: (message: ToView) => void,
  ) {}

  /** Creates the engine from the stored settings (again, after a settings change). */
  async start(): Promise<void> {
    const generation = ++this.generation;
    // The local copy is read while the settings are (the owner is checked after).
    this.localCopy.prefetch();
    try {
      const stored = await chrome.storage.local.get(null);
      performance.mark('pushsync:settings-read'); // bench/open.mjs reads the start's marks
      const settings = resolveSettings(stored);
      actionBadge.adopt(stored);
      const owner = copyOwner(settings.apiBase, storedAccount(stored), storedToken(stored));
      const [missing, cached] = await Promise.all([missingOrigins(requiredOrigins(settings)), this.localCopy.open(owner, this.selection())]);
      performance.mark('pushsync:local-copy-read');
      if (generation !== this.generation) return; // a later start overtook this one
      if (missing.length > 0) this.block(stored, settings, missing);
      else this.create(stored, settings, cached);
    } catch (error) {
      this.broadcast({ type: 'error', ...this.model.noteError('start', `the engine could not start: ${String(error)}`) });
    } finally {
      if (generation === this.generation) this.markStarted();
    }
  }

  private create(stored: Record<string, unknown>, settings: Settings, cached: CachedSession | null): void {
    const carriedSession = this.selection();
    void this.stopEngine();
    this.adopt(stored, settings, []);
    // The local copy at once, not yet confirmed; the engine starts its read from it.
    if (cached && cached.messages.length > 0) this.model.showCached(cached.sessionId, cached.messages);
    const sync = createSync({
      apiBase: settings.apiBase,
      wsHost: settings.wsHost,
      wsPort: settings.wsPort,
      wsTls: settings.wsTls,
      key: settings.pusherKey,
      protocol: settings.protocol,
      keepaliveSeconds: KEEPALIVE_SECONDS,
      // Read with the settings just now; asked again after "Auth failed" (the user may have logged in meanwhile).
      token: storedToken(stored),
      getToken: async () => storedToken(await chrome.storage.local.get(TOKEN_KEY)),
      storage: chromeStorage(chrome.storage.local),
      module: this.module,
      engineConfig: developerSettings(stored),
      onFrame: (text) => this.figures.onFrame(text),
    });
    this.sync = sync;
    performance.mark('pushsync:engine-created');
    this.figures.engineStarts++;
    this.listen(sync);
    sync.setVisible(this.views > 0);
    if (!navigator.onLine) sync.setOnline(false);
    // After restore (inputs wait for it): the engine restored from storage picks the same session,
    // and this keeps a selection made since the last persist.
    if (carriedSession) sync.selectSession(carriedSession);
    // After the selection (inputs wait for the engine's restore, which selects the stored session).
    restoreInEngine(sync, cached);
    this.broadcast({ type: 'snapshot', ...this.snapshot() });
  }

  /** Settings whose hosts are not granted: no engine, no request; the views learn what is missing. */
  private block(stored: Record<string, unknown>, settings: Settings, missing: string[]): void {
    void this.stopEngine();
    this.adopt(stored, settings, missing);
    this.model.state = { state: 'disconnected', code: 'no_host_permission', reason: 'No host permission' };
    this.model.noteError('no_host_permission', noPermissionMessage(missing));
    this.broadcast({ type: 'snapshot', ...this.snapshot() });
  }

  /** The old engine goes (if any); the views' state starts from nothing. Resolves once it wrote its last state. */
  private stopEngine(): Promise<void> {
    const stopped = this.sync?.destroy() ?? Promise.resolve();
    this.sync = undefined;
    this.model.reset();
    this.sessionInfo = null;
    this.figures.resetConnection();
    return stopped;
  }

  /**
   * Logged out, or in as someone else (or as someone after a logout): nothing of the previous
   * account stays. The engine goes with its store (its last write awaited), the local copy and
   * what goes with it are wiped (`wiped`), and a fresh engine starts with the new token.
   */
  private async changeOwner(owner: string | null): Promise<void> {
    this.wantedSession = ''; // the previous account's selection is not carried over
    await this.stopEngine();
    this.broadcast({ type: 'snapshot', ...this.snapshot() });
    await this.localCopy.setOwner(owner);
    await this.start();
  }

  private adopt(stored: Record<string, unknown>, settings: Settings, missing: string[]): void {
    this.settings = settings;
    this.missing = missing;
    this.token = storedToken(stored);
    this.account = storedAccount(stored);
  }

  current(): { sync: Sync | undefined; settings: Settings | undefined; token: string | null; missingOrigins: readonly string[] } {
    return { sync: this.sync, settings: this.settings, token: this.token, missingOrigins: this.missing };
  }

  snapshot(): Snapshot {
    const list = this.model.messages;
    const offset = Math.max(0, list.length - SNAPSHOT_MESSAGES);
    return {
      state: this.model.state,
      sessionId: this.model.sessionId,
      typing: this.model.typing,
      messages: list.slice(offset),
      offset,
      total: list.length,
      confirmed: this.model.confirmed,
      outbox: this.outboxEntries(),
      sessionInfo: this.sessionInfo,
      gaps: this.model.gaps,
      figures: this.currentFigures(),
      account: { loggedIn: this.token !== null, email: this.account },
      errors: this.model.errors,
      missingOrigins: this.missing,
    };
  }

  /** A run of the list the views are shown, list[start, start + count), clamped to it. */
  range(start: number, count: number): { start: number; total: number; messages: Message[] } {
    const list = this.model.messages;
    const from = Math.min(Math.max(0, start), list.length);
    return { start: from, total: list.length, messages: list.slice(from, from + count) };
  }

  /** Shows the local copy of another session at once (not confirmed), hands it to the engine, selects. */
  async selectSession(sessionId: string): Promise<void> {
    this.wantedSession = sessionId;
    if (!this.sync) return; // the engine being made selects it (create)
    if (sessionId !== this.model.sessionId) {
      const cached = await this.localCopy.read(sessionId);
      // The engine running now: a settings change may have replaced it during the read.
      const sync = this.sync;
      if (!sync || this.wantedSession !== sessionId) return; // none, or a later selection overtook this one
      if (cached.messages.length > 0) {
        this.model.showCached(sessionId, cached.messages);
        this.broadcast({ type: 'snapshot', ...this.snapshot() });
      }
      sync.selectSession(sessionId);
      restoreInEngine(sync, cached);
      return;
    }
    this.sync.selectSession(sessionId);
  }

  /** The session to show: the one a view asked for last, else the engine's. */
  private selection(): string {
    return this.wantedSession || this.model.sessionId;
  }

  /** Whose local copy and session list are kept now (null: logged out, nothing is kept). */
  copyOwner(): string | null {
    return copyOwner(this.settings?.apiBase ?? '', this.account, this.token);
  }

  /** A sign that the server is back: a session list given stale is fetched again. */
  private serverReachable(): void {
    const { settings, token, missing } = this;
    if (!settings || missing.length > 0) return;
    void this.sessionList.serverReachable(() => backend(settings.apiBase, token).listSessions());
  }

  refresh(): void {
    this.sync?.refresh();
  }

  /** Views open: the engine is visible while there is at least one. */
  setViewCount(views: number): void {
    const wasVisible = this.views > 0;
    this.views = views;
    if (wasVisible !== views > 0) this.sync?.setVisible(views > 0);
    // Every view shows the selected session: an open one has seen it, the toolbar counts otherwise.
    actionBadge.setViewing(views > 0, this.model.sessionId, this.model.messages.at(-1));
    this.scheduleFigures();
  }

  setOnline(online: boolean): void {
    this.sync?.setOnline(online);
    if (online) this.serverReachable();
  }

  /** The wake alarm fired. A worker that just started restores and backfills by itself. */
  onWake(): void {
    const state = this.model.state.state;
    if (this.sync && this.model.sessionId && state !== 'connected' && state !== 'connecting') this.sync.refresh();
  }

  /**
   * A host permission was granted or revoked (the options page, chrome://extensions). Starts again
   * only when that changes what these settings miss: a grant for other hosts (the options page
   * asks before it saves) leaves a running engine alone.
   */
  async onPermissionsChanged(): Promise<void> {
    if (!this.settings) return; // the first start has yet to read them, and checks by itself
    const missing = await missingOrigins(requiredOrigins(this.settings));
    if (missing.join(' ') !== this.missing.join(' ')) await this.start();
  }

  onStorageChanged(changes: Record<string, chrome.storage.StorageChange>): void {
    const names = Object.keys(changes);
    if (names.some((name) => (SETTING_KEYS as readonly string[]).includes(name) || name === DEVELOPER_SETTINGS_KEY)) {
      void this.start();
      return; // the new engine reads the token too
    }
    if (names.includes(TOKEN_KEY) || names.includes(ACCOUNT_KEY)) {
      const before = this.copyOwner();
      const token = changes[TOKEN_KEY] ? storedToken({ [TOKEN_KEY]: changes[TOKEN_KEY].newValue }) : this.token;
      this.account = changes[ACCOUNT_KEY] ? storedAccount({ [ACCOUNT_KEY]: changes[ACCOUNT_KEY].newValue }) : this.account;
      const tokenChanged = token !== this.token;
      this.token = token;
      const owner = this.copyOwner();
      if (owner !== before) void this.changeOwner(owner);
      else if (tokenChanged) this.sync?.setToken(token); // renewed for the same account
      this.broadcast({ type: 'account', loggedIn: token !== null, email: this.account });
    }
  }

  currentFigures(): Figures {
    const counters = this.sync?.counters() ?? null;
    const newest = this.model.messages.at(-1);
    return {
      reconnects: counters?.reconnects ?? 0,
      lastLatencyMs: this.figures.lastLatencyMs,
      newestSequence: newest ? newest.sequenceNumber : null,
      protocol: counters?.protocol || this.settings?.protocol || 0,
      socketId: this.figures.socketId,
      counters,
      workerStarts: this.figures.workerStarts,
      engineStarts: this.figures.engineStarts,
      views: this.views,
      lastEventAt: this.figures.lastEventAt,
    };
  }

  /** Sends the figures soon (coalesced): after events, and every second while views are open. */
  scheduleFigures(): void {
    if (this.figuresTimer !== undefined) return;
    this.figuresTimer = setTimeout(() => {
      this.figuresTimer = undefined;
      this.broadcast({ type: 'figures', figures: this.currentFigures() });
    }, FIGURES_EVERY_MS);
  }

  private listen(sync: Sync): void {
    const live = () => {
      if (sync !== this.sync) return false;
      this.scheduleFigures();
      return true;
    };
    sync.on('state', (info) => {
      if (!live()) return;
      performance.mark(`pushsync:state-${info.state}`);
      this.model.state = info;
      this.figures.onState(info);
      this.broadcast({ type: 'state', ...info });
      if (info.state === 'connected') this.serverReachable();
    });
    sync.on('session', ({ sessionId, status }) => {
      if (!live()) return;
      if (status !== '') {
        // A session_update: the backend's word on a session, not a selection.
        if (sessionId !== this.model.sessionId) return;
        this.sessionInfo = { sessionId, status };
        this.broadcast({ type: 'sessionInfo', info: this.sessionInfo });
        return;
      }
      const droppedCopy = this.model.selected(sessionId);
      this.localCopy.noteSelected(sessionId);
      if (this.sessionInfo && this.sessionInfo.sessionId !== sessionId) this.sessionInfo = null;
      this.broadcast({ type: 'session', sessionId });
      if (droppedCopy) this.broadcast({ type: 'snapshot', ...this.snapshot() });
    });
    sync.on('messages', (event) => {
      if (!live()) return;
      const { diff, inserted, updated } = event;
      this.figures.onMessages(diff, inserted, updated);
      this.localCopy.noteMessages(diff, inserted, updated);
      const outcome = this.model.applyMessages(event, () => ({ messages: sync.readMessages(), version: sync.messagesVersion() }));
      actionBadge.onMessages(diff.sessionId, inserted, this.model.messages.at(-1));
      if (outcome === 'diff') {
        this.broadcast({ type: 'messages', diff, inserted, updated });
      } else if (outcome !== 'held') {
        if (outcome === 'drifted') this.model.noteError('glue', 'the message list drifted from the engine and was reloaded');
        this.broadcast({ type: 'snapshot', ...this.snapshot() });
      }
      this.serverReachable();
    });
    sync.on('loaded', ({ sessionId }) => {
      if (!live()) return;
      // The first read of the session is done: the list is the server's now (issue 10.1).
      if (this.model.loaded(sessionId)) this.broadcast({ type: 'snapshot', ...this.snapshot() });
      else if (sessionId === this.model.sessionId) this.broadcast({ type: 'confirmed', confirmed: this.model.confirmed });
      this.serverReachable();
    });
    sync.on('gaps', ({ sessionId, gaps }) => {
      if (!live()) return;
      this.model.gaps = gaps;
      this.localCopy.noteGaps(sessionId, gaps);
      this.broadcast({ type: 'gaps', gaps });
    });
    sync.on('typing', ({ sessionId, isTyping, context }) => {
      if (!live()) return;
      this.model.typing = { isTyping, context };
      this.broadcast({ type: 'typing', sessionId, isTyping, context });
    });
    sync.on('error', ({ code, message }) => {
      if (!live()) return;
      this.broadcast({ type: 'error', ...this.model.noteError(code, message) });
    });
  }
}
