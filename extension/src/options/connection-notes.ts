// The two warnings of the connection settings: a host that is not loopback reached over plain
// http or ws (shown as the user types), and saved settings that do not work because Chrome has no
// permission for their hosts, with a button that asks again (inside its click, as Chrome needs).
import { missingOrigins, requestOrigins } from '../shared/host-access.js';
import { requiredOrigins, unencryptedOrigins } from '../shared/hosts.js';
import type { Settings } from '../shared/settings.js';
import { byId, setText } from '../view/dom.js';

export class ConnectionNotes {
  private readonly unencrypted = byId('unencrypted-warning');
  private readonly access = byId('access-warning');
  private readonly accessText = byId('access-text');
  private readonly grant = byId<HTMLButtonElement>('access-grant');
  /** The origins the saved settings miss, kept for the grant button's click (no await before it). */
  private missing: string[] = [];

  constructor() {
    this.grant.addEventListener('click', () => {
      void requestOrigins(this.missing).then(
        (granted) => {
          if (!granted) setText(this.accessText, `Chrome did not grant access to ${this.missing.join(', ')}: the saved settings do not work.`);
          // Granted: permissions.onAdded reloads the form, which hides this note.
        },
        (error: unknown) => setText(this.accessText, String(error)),
      );
    });
  }

  showUnencrypted(settings: Settings): void {
    const plain = unencryptedOrigins(settings);
    this.unencrypted.hidden = plain.length === 0;
    setText(
      this.unencrypted,
      `Not encrypted: ${plain.join(' and ')} ${plain.length === 1 ? 'is' : 'are'} reached in plain text on another machine; ` +
        'the token and the messages can be read on the way. Use an https:// API base and TLS on (wss://).',
    );
  }

  /** Whether Chrome lets the extension use the saved settings' hosts. */
  showSaved(settings: Settings): void {
    void missingOrigins(requiredOrigins(settings)).then((missing) => {
      this.missing = missing;
      this.access.hidden = missing.length === 0;
      setText(this.accessText, `The saved settings do not work: no permission for ${missing.join(', ')}.`);
    });
  }
}
