// The debug panel's live figures that the engine does not count itself: the latency of the last
// event (receive time minus the server's timestamp of the newest change it carried) and the socket
// id (read from `connection_established`, seen through the glue's onFrame hook).
import type { Message, MessagesDiff, StateInfo } from 'pushsync';

export class FigureTracker {
  socketId = '';
  lastLatencyMs: number | null = null;
  lastEventAt: string | null = null;
  engineStarts = 0;
  workerStarts = 0;

  /** Every frame the socket receives, before the engine sees it. */
  onFrame(text: string): void {
    // Cheap test first: this runs for every frame.
    if (!text.includes('connection_established')) return;
    try {
      const frame = JSON.parse(text) as { event?: string; data?: unknown };
      if (!frame.event?.endsWith(':connection_established')) return;
      const data = (typeof frame.data === 'string' ? JSON.parse(frame.data) : frame.data) as { socket_id?: unknown };
      if (typeof data.socket_id === 'string') this.socketId = data.socket_id;
    } catch {
      // A malformed frame: the engine reports it; the figure stays as it was.
    }
  }

  onState({ state }: StateInfo): void {
    // The socket id lives as long as its connection: gone once the engine reconnects or falls back.
    if (state !== 'connected' && state !== 'connecting') this.socketId = '';
  }

  onMessages(diff: MessagesDiff, inserted: readonly Message[], updated: readonly Message[], now = Date.now()): void {
    this.lastEventAt = new Date(now).toISOString();
    // A reset is a (re)load of the whole session: its old messages say nothing about latency.
    if (diff.reset) return;
    let newest = Number.NEGATIVE_INFINITY;
    for (const message of inserted) newest = Math.max(newest, Date.parse(message.timestamp));
    for (const message of updated) newest = Math.max(newest, Date.parse(message.updatedAt ?? message.timestamp));
    if (Number.isFinite(newest)) this.lastLatencyMs = Math.max(0, now - newest);
  }

  resetConnection(): void {
    this.socketId = '';
  }
}
