// The connection badge: the state in a word, coloured by state (styles.css, [data-state]), with the
// engine's reason as its tooltip. Shown in the debug panel only (roadmap v1.7): the chat has its
// offline notice instead (popup/offline-notice.ts).
import type { ViewStateInfo } from '../shared/protocol.js';
import { connectionLabel, connectionTooltip } from '../shared/connection-label.js';
import { setText } from './dom.js';

export function renderBadge(badge: HTMLElement, { state, code, reason }: ViewStateInfo): void {
  badge.dataset['state'] = state;
  badge.dataset['code'] = code;
  const label = connectionLabel(state, code);
  setText(badge, label);
  badge.title = connectionTooltip(state, reason);
  badge.setAttribute('aria-label', `${label}: ${badge.title}`);
}
