// A local WebSocket server speaking just enough of the Pusher protocol for the glue tests:
// connection_established, private-channel subscribe (checking the stub app server's signature),
// ping/pong, channel broadcasts, and dropping every socket on demand. 127.0.0.1, ephemeral port.
import { WebSocketServer } from 'ws';
import { sign } from './app-server.mjs';

export async function startPusherServer({ key = 'test-key', activityTimeout = 120 } = {}) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', reject);
  });
  const server = {
    port: wss.address().port,
    key,
    connections: 0,
    /** Every frame clients sent, parsed, with the socket id. */
    received: [],
    sockets: new Set(),
    /** channel -> set of sockets */
    channels: new Map(),
    broadcast(channel, event, data) {
      const frame = JSON.stringify({ event, channel, data: typeof data === 'string' ? data : JSON.stringify(data) });
      for (const socket of this.channels.get(channel) ?? []) socket.send(frame);
    },
    /**
     * Sends `frames` (event + data objects) on the channel in one TCP write, so the client reads
     * them in one chunk (Node's WebSocket then fires them all in one task); `thenEnd` also ends
     * the TCP connection in that write, with no close frame: the client sees 1006 right after them.
     */
    burst(channel, frames, { thenEnd = false } = {}) {
      for (const socket of this.channels.get(channel) ?? []) {
        const tcp = socket._socket;
        tcp.cork();
        for (const { event, data } of frames) socket.send(JSON.stringify({ event, channel, data: JSON.stringify(data) }));
        if (thenEnd) tcp.end();
        else process.nextTick(() => tcp.uncork());
      }
    },
    /** Cuts every socket without a close frame: the client sees 1006. */
    dropAll() {
      for (const socket of this.sockets) socket.terminate();
    },
    subscribers(channel) {
      return this.channels.get(channel)?.size ?? 0;
    },
    async close() {
      for (const socket of wss.clients) socket.terminate();
      await new Promise((resolve) => wss.close(resolve));
    },
  };

  let nextId = 1;
  wss.on('connection', (socket, request) => {
    const url = new URL(request.url, 'http://localhost');
    if (url.pathname !== `/app/${key}`) {
      socket.close(4001, 'unknown app key');
      return;
    }
    server.connections++;
    server.sockets.add(socket);
    const socketId = `${nextId++}.${Math.floor(Math.random() * 1e6)}`;
    socket.send(
      JSON.stringify({
        event: 'pusher:connection_established',
        data: JSON.stringify({ socket_id: socketId, activity_timeout: activityTimeout }),
      }),
    );
    socket.on('message', (raw) => {
      let frame;
      try {
        frame = JSON.parse(String(raw));
      } catch {
        socket.send(JSON.stringify({ event: 'pusher:error', data: { code: 4000, message: 'invalid JSON' } }));
        return;
      }
      server.received.push({ socketId, frame });
      if (frame.event === 'pusher:ping') {
        socket.send(JSON.stringify({ event: 'pusher:pong', data: {} }));
      } else if (frame.event === 'pusher:subscribe') {
        const { channel, auth } = frame.data ?? {};
        if (auth !== `${key}:${sign(socketId, channel)}`) {
          socket.send(JSON.stringify({ event: 'pusher:error', data: { code: 4009, message: 'Invalid signature' } }));
          return;
        }
        if (!server.channels.has(channel)) server.channels.set(channel, new Set());
        server.channels.get(channel).add(socket);
        socket.send(JSON.stringify({ event: 'pusher_internal:subscription_succeeded', channel, data: '{}' }));
      } else if (frame.event === 'pusher:unsubscribe') {
        server.channels.get(frame.data?.channel)?.delete(socket);
      }
    });
    socket.on('close', () => {
      server.sockets.delete(socket);
      for (const members of server.channels.values()) members.delete(socket);
    });
  });
  return server;
}
