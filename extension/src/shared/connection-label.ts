// How each connection state is shown: the badge's word, and the tooltip used when the engine gave
// no reason of its own. Chosen on the state and its code, never on the reason's text.
import type { ConnectionState } from 'pushsync';

export const CONNECTION_STATES: readonly ConnectionState[] = [
  'connected',
  'connecting',
  'reconnecting',
  'polling',
  'disconnected',
  'offline',
];

const LABELS: Record<ConnectionState, string> = {
  connected: 'Connected',
  connecting: 'Connecting',
  reconnecting: 'Reconnecting',
  polling: 'Polling',
  disconnected: 'Disconnected',
  offline: 'Offline',
};

const DESCRIPTIONS: Record<ConnectionState, string> = {
  connected: 'Push is live: messages arrive as they are sent',
  connecting: 'Opening the connection to the push server',
  reconnecting: 'The connection dropped; trying again with backoff',
  polling: 'Push is unavailable; fetching new messages over REST',
  disconnected: 'No session is being synced',
  offline: 'The browser is offline',
};

/**
 * The badge's word. Disconnected because no chat is picked (state code `no_session`) or before
 * the first engine (`not_started`) is no fault: it says so instead of "Disconnected".
 */
export function connectionLabel(state: string, code = ''): string {
  if (state === 'disconnected' && code === 'no_session') return 'No chat';
  if (state === 'disconnected' && code === 'not_started') return 'Starting';
  return LABELS[state as ConnectionState] ?? state;
}

/** The badge's tooltip: the engine's reason when it gave one. */
export function connectionTooltip(state: string, reason: string): string {
  return reason !== '' ? reason : (DESCRIPTIONS[state as ConnectionState] ?? state);
}
