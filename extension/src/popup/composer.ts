// The message input: Enter (or Send) hands the text to the worker's outbox, which answers as soon
// as it has persisted it: the input clears at once, the message shows in the outbox below the
// messages (outbox-view.ts), and the worker delivers it when the network and the server allow.
// A network failure is never an error here; only a request the worker refuses is (the text comes
// back to the input then). A send cut off by a worker restart is repeated with the same
// clientMessageId, which the outbox keeps only once.
import { RequestError, type WorkerPort } from '../view/worker-port.js';
import { setText } from '../view/dom.js';
import type { ViewState } from '../view/view-state.js';

/** How often a send is repeated while the worker restarts (each after its next snapshot). */
const ATTEMPTS = 3;

export interface ComposerParts {
  form: HTMLFormElement;
  input: HTMLTextAreaElement;
  button: HTMLButtonElement;
  status: HTMLElement;
}

export class Composer {
  constructor(
    private readonly parts: ComposerParts,
    private readonly state: ViewState,
    private readonly port: WorkerPort,
  ) {
    parts.form.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.send();
    });
    parts.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        void this.send();
      }
    });
    state.on((change) => {
      if (change === 'snapshot' || change === 'session' || change === 'account') this.render();
    });
    this.render();
  }

  /** Shows a problem under the input (as text). */
  showError(text: string): void {
    const { status } = this.parts;
    status.dataset['kind'] = 'error';
    setText(status, text);
    status.hidden = false;
  }

  private async send(): Promise<void> {
    const { input } = this.parts;
    const content = input.value.trim();
    const sessionId = this.state.sessionId;
    if (content === '' || sessionId === '') return;
    input.value = '';
    const clientMessageId = crypto.randomUUID();
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.port.request({ op: 'send', sessionId, content, clientMessageId });
          this.parts.status.hidden = true;
          return;
        } catch (error) {
          const disconnected = error instanceof RequestError && error.code === 'disconnected';
          if (!disconnected || attempt >= ATTEMPTS) throw error;
          await this.port.ready();
        }
      }
    } catch (error) {
      // The outbox did not take it (the worker refused the request): give the text back.
      if (input.value === '') input.value = content;
      this.showError(`Not sent: ${(error as Error).message}`);
    }
  }

  private render(): void {
    const { input, button } = this.parts;
    const ready = this.state.account.loggedIn && this.state.sessionId !== '';
    input.disabled = !ready;
    button.disabled = !ready;
    input.placeholder = ready ? 'Message (Enter to send, Shift+Enter for a new line)' : 'Pick a chat to write';
  }
}
