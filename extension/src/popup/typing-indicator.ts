// "Thinking...", "Executing...", "Verifying..." (or "Processing..." for a step this build does not
// know) while the assistant works on the selected session.
import { typingLabel } from '../shared/typing-label.js';
import { setText } from '../view/dom.js';
import type { ViewState } from '../view/view-state.js';

export function showTyping(indicator: HTMLElement, state: ViewState): void {
  const render = () => {
    const { isTyping, context } = state.typing;
    const visible = isTyping && state.sessionId !== '';
    indicator.hidden = !visible;
    indicator.dataset['context'] = visible ? context : '';
    setText(indicator, visible ? typingLabel(context) : '');
  };
  state.on((change) => {
    if (change === 'snapshot' || change === 'typing' || change === 'session') render();
  });
  render();
}
