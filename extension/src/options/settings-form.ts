// The connection settings: API base, Pusher key, WebSocket host, port and TLS, protocol. Saved to
// chrome.storage.local, where the worker picks them up at once (no rebuild, no reload). Empty
// fields and "Use build defaults" fall back to the values this build was made with.
//
// Saving first asks Chrome for the settings' host permissions (any host but loopback and the
// build's defaults is optional in the manifest). That request must run inside the user's click,
// so everything before it is synchronous. Refused: nothing is saved, the extension keeps working
// with its previous settings, and the page says so.
import { requestOrigins } from '../shared/host-access.js';
import { parseApiBase, parseHost, requiredOrigins } from '../shared/hosts.js';
import { BUILD_DEFAULTS, resolveSettings, SETTING_KEYS, storedTls, tlsChoice, type Settings, type TlsChoice } from '../shared/settings.js';
import { byId, setText } from '../view/dom.js';
import { ConnectionNotes } from './connection-notes.js';

export function settingsForm(): void {
  const form = byId<HTMLFormElement>('settings-form');
  const fields = {
    apiBase: byId<HTMLInputElement>('api-base'),
    pusherKey: byId<HTMLInputElement>('pusher-key'),
    wsHost: byId<HTMLInputElement>('ws-host'),
    wsPort: byId<HTMLInputElement>('ws-port'),
    wsTls: byId<HTMLSelectElement>('ws-tls'),
    protocol: byId<HTMLSelectElement>('protocol'),
  };
  const status = byId('settings-status');
  const notes = new ConnectionNotes();
  fields.apiBase.placeholder = BUILD_DEFAULTS.apiBase;
  fields.pusherKey.placeholder = BUILD_DEFAULTS.pusherKey;
  fields.wsHost.placeholder = BUILD_DEFAULTS.wsHost;
  fields.wsPort.placeholder = String(BUILD_DEFAULTS.wsPort);

  const say = (text: string, kind: 'done' | 'error') => {
    status.dataset['kind'] = kind;
    setText(status, text);
  };
  const show = (stored: Record<string, unknown>) => {
    const settings = resolveSettings(stored);
    fields.apiBase.value = settings.apiBase;
    fields.pusherKey.value = settings.pusherKey;
    fields.wsHost.value = settings.wsHost;
    fields.wsPort.value = String(settings.wsPort);
    fields.wsTls.value = tlsChoice(stored);
    fields.protocol.value = String(settings.protocol);
    notes.showSaved(settings);
    notes.showUnencrypted(settings);
  };
  const load = async () => show(await chrome.storage.local.get([...SETTING_KEYS]));

  /** The form as it would be stored, or what is wrong with it. */
  const read = (): { stored: Record<string, unknown>; settings: Settings } | { problem: string } => {
    const apiBase = fields.apiBase.value.trim();
    if (apiBase !== '' && parseApiBase(apiBase) === null) return { problem: 'The API base must be an http(s) URL, e.g. https://chat.example.com' };
    const wsHost = fields.wsHost.value.trim();
    if (wsHost !== '' && parseHost(wsHost) === null) return { problem: 'The WebSocket host is a host name or address only, without scheme or port, e.g. ws.example.com' };
    const port = fields.wsPort.value.trim();
    if (port !== '' && !(Number.isInteger(Number(port)) && Number(port) > 0 && Number(port) < 65536)) {
      return { problem: 'The WebSocket port must be a number from 1 to 65535' };
    }
    const settings = resolveSettings({
      apiBase,
      pusherKey: fields.pusherKey.value,
      wsHost,
      wsPort: port === '' ? undefined : Number(port),
      wsTls: storedTls(fields.wsTls.value as TlsChoice),
      protocol: Number(fields.protocol.value),
    });
    // The TLS choice is stored as chosen (automatic stays automatic when the host changes later).
    return { stored: { ...settings, wsTls: storedTls(fields.wsTls.value as TlsChoice) }, settings };
  };

  // The plain-text warning follows the fields as the user types.
  form.addEventListener('input', () => {
    const typed = read();
    if ('settings' in typed) notes.showUnencrypted(typed.settings);
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = read();
    if ('problem' in values) {
      say(values.problem, 'error');
      return;
    }
    const origins = requiredOrigins(values.settings);
    // Synchronously in the submit event: Chrome prompts only inside a user gesture.
    requestOrigins(origins).then(
      async (granted) => {
        if (!granted) {
          say(`Not saved: Chrome did not grant access to ${origins.join(', ')}. The extension keeps its previous settings.`, 'error');
          return;
        }
        await chrome.storage.local.set(values.stored);
        show(values.stored);
        say('Saved: the extension uses these settings now.', 'done');
      },
      (error: unknown) => say(`Not saved: ${error instanceof Error ? error.message : String(error)}`, 'error'),
    );
  });
  byId('settings-defaults').addEventListener('click', () => {
    // The build's defaults are granted in the manifest: nothing to ask for.
    void chrome.storage.local.remove([...SETTING_KEYS]).then(async () => {
      await load();
      say('Back to the build defaults.', 'done');
    });
  });
  // A grant or a revocation elsewhere (chrome://extensions) changes whether the saved settings work.
  chrome.permissions.onAdded.addListener(() => void load());
  chrome.permissions.onRemoved.addListener(() => void load());
  void load();
}
