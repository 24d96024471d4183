// The popup's notice that the settings point at hosts Chrome gave no permission for (the worker
// runs no engine then): which origins, and the way to the options page, where saving asks again.
import { setText } from '../view/dom.js';
import type { ViewState } from '../view/view-state.js';

export function showAccessNotice(notice: HTMLElement, origins: HTMLElement, state: ViewState): void {
  state.on((change) => {
    if (change !== 'snapshot') return; // the worker posts a snapshot whenever the permissions change
    notice.hidden = state.missingOrigins.length === 0;
    setText(origins, state.missingOrigins.join(', '));
  });
}
