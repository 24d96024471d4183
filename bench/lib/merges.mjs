// The two JavaScript merges the core is compared with. Both take the frame text a WebSocket gives
// JavaScript (a string) and keep an ordered, de-duplicated array of messages.

/**
 * (a) The roadmap's merge (/work/shared/roadmap §6 and §7, `handleNewMessage` of the
 * WebSocketService and of the MessageSyncManager): pusher-js decodes the frame and its `data`
 * (JSON.parse twice), the service converts the timestamp to a Date, then per message: findIndex
 * by id; a new one is pushed and the whole array sorted (sequenceNumber, else timestamp); a known
 * one is replaced by a merged copy. The Zustand/immer draft around it is left out (it would only
 * add cost), and so are the console.log calls.
 */
export class RoadmapMerge {
  constructor(sessionId) {
    this.sessionId = sessionId;
    this.messages = [];
  }

  frame(text) {
    const frame = JSON.parse(text);
    const data = typeof frame.data === 'string' ? JSON.parse(frame.data) : frame.data;
    if (frame.event !== 'new_message') return;
    const payload = data;
    if (!payload.message || !payload.message.messageId) return;
    const message = {
      ...payload.message,
      id: payload.message.messageId,
      timestamp: payload.message.timestamp instanceof Date ? payload.message.timestamp : new Date(payload.message.timestamp),
      sequenceNumber: payload.message.sequenceNumber,
    };
    if (payload.sessionId && payload.sessionId !== this.sessionId) return;
    const messages = this.messages;
    const existingIndex = messages.findIndex((m) => m.id === message.id);
    if (existingIndex === -1) {
      messages.push(message);
      messages.sort((a, b) => {
        if (a.sequenceNumber !== undefined && b.sequenceNumber !== undefined) {
          return a.sequenceNumber - b.sequenceNumber;
        }
        const timeA = a.timestamp instanceof Date ? a.timestamp.getTime() : new Date(a.timestamp).getTime();
        const timeB = b.timestamp instanceof Date ? b.timestamp.getTime() : new Date(b.timestamp).getTime();
        return timeA - timeB;
      });
    } else {
      messages[existingIndex] = { ...messages[existingIndex], ...message };
    }
  }

  ids() {
    return this.messages.map((m) => m.id);
  }
}

/**
 * (b) What a careful JavaScript author writes: JSON.parse twice, a Map from id to message for
 * de-duplication, and a binary-search insert into the ordered array (an append when the message
 * is the newest, the common case). Order is the core's: sequence, then timestamp, then id.
 */
export class CarefulMerge {
  constructor(sessionId) {
    this.sessionId = sessionId;
    this.messages = [];
    this.byId = new Map();
  }

  frame(text) {
    const frame = JSON.parse(text);
    if (frame.event !== 'new_message' || typeof frame.data !== 'string') return;
    this.insert(JSON.parse(frame.data));
  }

  /** The event's data, already decoded (what pusher-js hands a bind callback). */
  insert(data) {
    if (data.sessionId !== this.sessionId) return;
    const message = data.message;
    if (!message || typeof message.messageId !== 'string' || typeof message.sequenceNumber !== 'number') return;
    const known = this.byId.get(message.messageId);
    if (known) {
      // A duplicate (or a newer copy): merge in place, the position cannot change.
      if (message.updatedAt === undefined || known.updatedAt === undefined || message.updatedAt >= known.updatedAt) Object.assign(known, message);
      return;
    }
    message.timestampMs = Date.parse(message.timestamp);
    this.byId.set(message.messageId, message);
    const list = this.messages;
    const last = list.length > 0 ? list[list.length - 1] : undefined;
    if (!last || before(last, message)) {
      list.push(message);
      return;
    }
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(list[mid], message)) lo = mid + 1;
      else hi = mid;
    }
    list.splice(lo, 0, message);
  }

  ids() {
    return this.messages.map((m) => m.messageId);
  }
}

function before(a, b) {
  if (a.sequenceNumber !== b.sequenceNumber) return a.sequenceNumber < b.sequenceNumber;
  if (a.timestampMs !== b.timestampMs) return a.timestampMs < b.timestampMs;
  return a.messageId < b.messageId;
}
