// The connection badge: the state in a word, coloured by state (styles.css, [data-state]), with the
// engine's reason as its tooltip.
import type { ViewStateInfo } from '../shared/protocol.js';
import { connectionLabel, connectionTooltip } from '../shared/connection-label.js';
import { setText } from './dom.js';

export function renderBadge(badge: HTMLElement, { state, reason }: ViewStateInfo): void {
  badge.dataset['state'] = state;
  setText(badge, connectionLabel(state));
  badge.title = connectionTooltip(state, reason);
  badge.setAttribute('aria-label', `${connectionLabel(state)}: ${badge.title}`);
}
