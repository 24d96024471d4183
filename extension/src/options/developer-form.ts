// Developer settings: the popup's debug panel (developer mode) and the engine's reconnect tunables
// (`developerSettings` in chrome.storage.local), to watch the fallback to polling in seconds.
// Empty fields mean the engine's defaults (1 s base, 30 s cap, 5 attempts).
import { DEVELOPER_MODE_KEY, DEVELOPER_SETTINGS_KEY, developerMode, developerSettings, type DeveloperSettingName } from '../shared/developer-settings.js';
import { byId, setText } from '../view/dom.js';

const FIELDS: Array<[id: string, name: DeveloperSettingName]> = [
  ['backoff-base', 'backoffBaseMs'],
  ['backoff-cap', 'backoffCapMs'],
  ['max-attempts', 'maxReconnectAttempts'],
];

export function developerForm(): void {
  const form = byId<HTMLFormElement>('developer-form');
  const mode = byId<HTMLInputElement>('developer-mode');
  const status = byId('developer-status');

  const load = async () => {
    const stored = await chrome.storage.local.get([DEVELOPER_MODE_KEY, DEVELOPER_SETTINGS_KEY]);
    mode.checked = developerMode(stored);
    const settings = developerSettings(stored);
    for (const [id, name] of FIELDS) {
      const value = settings[name];
      byId<HTMLInputElement>(id).value = value === undefined ? '' : String(value);
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      const stored = await chrome.storage.local.get(DEVELOPER_SETTINGS_KEY);
      const settings = developerSettings(stored);
      for (const [id, name] of FIELDS) {
        const text = byId<HTMLInputElement>(id).value.trim();
        const value = Number(text);
        if (text === '') delete settings[name];
        else if (Number.isFinite(value) && value >= 0) settings[name] = value;
        else {
          setText(status, `${name} must be a number of at least 0`);
          return;
        }
      }
      await chrome.storage.local.set({ [DEVELOPER_MODE_KEY]: mode.checked, [DEVELOPER_SETTINGS_KEY]: settings });
      await load();
      setText(status, 'Saved.');
    })();
  });
  void load();
}
