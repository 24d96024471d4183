// How each connection state is shown: the badge's word, and the tooltip used when the engine gave
// no reason of its own.
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

export function connectionLabel(state: string): string {
  return LABELS[state as ConnectionState] ?? state;
}

/** The badge's tooltip: the engine's reason when it gave one. */
export function connectionTooltip(state: string, reason: string): string {
  return reason !== '' ? reason : (DESCRIPTIONS[state as ConnectionState] ?? state);
}
