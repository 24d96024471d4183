// options.html: connection settings, login, developer settings.
import { developerForm } from './developer-form.js';
import { loginForm } from './login-form.js';
import { settingsForm } from './settings-form.js';

settingsForm();
loginForm();
developerForm();
