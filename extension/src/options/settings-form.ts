// The connection settings: API base, Pusher key, WebSocket host and port, protocol. Saved to
// chrome.storage.local, where the worker picks them up at once (no rebuild, no reload). Empty
// fields and "Use build defaults" fall back to the values this build was made with.
import { BUILD_DEFAULTS, resolveSettings, SETTING_KEYS, type Settings } from '../shared/settings.js';
import { byId, setText } from '../view/dom.js';

export function settingsForm(): void {
  const form = byId<HTMLFormElement>('settings-form');
  const fields = {
    apiBase: byId<HTMLInputElement>('api-base'),
    pusherKey: byId<HTMLInputElement>('pusher-key'),
    wsHost: byId<HTMLInputElement>('ws-host'),
    wsPort: byId<HTMLInputElement>('ws-port'),
    protocol: byId<HTMLSelectElement>('protocol'),
  };
  const status = byId('settings-status');
  fields.apiBase.placeholder = BUILD_DEFAULTS.apiBase;
  fields.pusherKey.placeholder = BUILD_DEFAULTS.pusherKey;
  fields.wsHost.placeholder = BUILD_DEFAULTS.wsHost;
  fields.wsPort.placeholder = String(BUILD_DEFAULTS.wsPort);

  const show = (settings: Settings) => {
    fields.apiBase.value = settings.apiBase;
    fields.pusherKey.value = settings.pusherKey;
    fields.wsHost.value = settings.wsHost;
    fields.wsPort.value = String(settings.wsPort);
    fields.protocol.value = String(settings.protocol);
  };
  const load = async () => show(resolveSettings(await chrome.storage.local.get([...SETTING_KEYS])));

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const apiBase = fields.apiBase.value.trim();
    if (apiBase !== '' && !/^https?:\/\/[^/\s]+/.test(apiBase)) {
      setText(status, 'The API base must be an http(s) URL, e.g. http://127.0.0.1:3000');
      return;
    }
    const port = fields.wsPort.value.trim();
    if (port !== '' && !(Number.isInteger(Number(port)) && Number(port) > 0 && Number(port) < 65536)) {
      setText(status, 'The WebSocket port must be a number from 1 to 65535');
      return;
    }
    const values = resolveSettings({
      apiBase,
      pusherKey: fields.pusherKey.value,
      wsHost: fields.wsHost.value,
      wsPort: port === '' ? undefined : Number(port),
      protocol: Number(fields.protocol.value),
    });
    void chrome.storage.local.set({ ...values }).then(() => {
      show(values);
      setText(status, 'Saved: the extension uses these settings now.');
    });
  });
  byId('settings-defaults').addEventListener('click', () => {
    void chrome.storage.local.remove([...SETTING_KEYS]).then(async () => {
      await load();
      setText(status, 'Back to the build defaults.');
    });
  });
  void load();
}
