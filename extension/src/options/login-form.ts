// The account, after the server: the server it logs in to is shown above the form, and a failed
// login stands out (data-kind=error: red, boxed), unlike the plain "Not logged in".
// Demo login: email and password to the backend's login route (backend-routes.ts) on the saved
// API base; the token goes to chrome.storage.local (`accessToken`), which the worker hands to the
// engine. Only to a host the extension has permission for, like every backend call.
import { backend } from '../shared/backend-routes.js';
import { missingOrigins } from '../shared/host-access.js';
import { apiOrigin } from '../shared/hosts.js';
import { ACCOUNT_KEY, resolveSettings, SETTING_KEYS, storedAccount, storedToken, TOKEN_KEY } from '../shared/settings.js';
import { byId, setText } from '../view/dom.js';
import { serverName } from '../view/server-name.js';

export function loginForm(): void {
  const form = byId<HTMLFormElement>('login-form');
  const email = byId<HTMLInputElement>('email');
  const password = byId<HTMLInputElement>('password');
  const logout = byId<HTMLButtonElement>('logout');
  const status = byId('account-status');
  const server = byId('account-server');

  const render = async () => {
    const stored = await chrome.storage.local.get([TOKEN_KEY, ACCOUNT_KEY, ...SETTING_KEYS]);
    const loggedIn = storedToken(stored) !== null;
    setText(server, serverName(resolveSettings(stored).apiBase));
    status.dataset['loggedIn'] = String(loggedIn);
    delete status.dataset['kind'];
    setText(status, loggedIn ? `Logged in as ${storedAccount(stored) || 'a user'}.` : 'Not logged in.');
    logout.hidden = !loggedIn;
  };
  // The server line follows the connection settings as they are saved.
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === 'local' && SETTING_KEYS.some((key) => key in changes)) void render();
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      delete status.dataset['kind'];
      setText(status, 'Logging in…');
      try {
        const settings = resolveSettings(await chrome.storage.local.get([...SETTING_KEYS]));
        const missing = await missingOrigins([apiOrigin(settings.apiBase)]);
        if (missing.length > 0) throw new Error(`no permission for ${missing.join(', ')}: save the connection settings to grant it`);
        const token = await backend(settings.apiBase, null).login(email.value.trim(), password.value);
        await chrome.storage.local.set({ [TOKEN_KEY]: token, [ACCOUNT_KEY]: email.value.trim() });
        password.value = '';
        await render();
      } catch (error) {
        status.dataset['loggedIn'] = 'false';
        status.dataset['kind'] = 'error';
        const { apiBase } = resolveSettings(await chrome.storage.local.get([...SETTING_KEYS]));
        setText(status, `Login failed on ${serverName(apiBase)}: ${(error as Error).message}`);
      }
    })();
  });
  logout.addEventListener('click', () => void chrome.storage.local.remove([TOKEN_KEY, ACCOUNT_KEY]).then(render));
  void render();
}
