// A local stand-in for the app server (node:http, 127.0.0.1, ephemeral port): login, Pusher
// channel auth, and the messages REST endpoint, with failures that a test can inject.
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { message as makeMessage, newMessageFrame } from './frames.mjs';

const SECRET = 'test-secret';

export function sign(socketId, channel) {
  return createHmac('sha256', SECRET).update(`${socketId}:${channel}`).digest('hex');
}

/**
 * `pusher`: the server from pusher-server.mjs, to broadcast new messages. Tokens accepted:
 * 'token-1' and whatever login hands out.
 */
export async function startAppServer({ pusher, tokens = ['token-1'] } = {}) {
  const valid = new Set(tokens);
  const app = {
    url: '',
    /** sessionId -> messages in sequence order */
    sessions: new Map(),
    /** Every request: {method, path, status}. */
    requests: [],
    /**
     * Queued failures per route ('auth', 'messages'): a status (500) answers an error, 'reset'
     * drops the connection, `{status, retryAfter}` answers with a Retry-After header.
     */
    failures: { auth: [], messages: [] },
    /** Stores a message and, unless `push` is false, broadcasts it like the real app server. */
    addMessage(sessionId, sequence, { push = true, ...extra } = {}) {
      const msg = makeMessage(sessionId, sequence, extra);
      if (!this.sessions.has(sessionId)) this.sessions.set(sessionId, []);
      const list = this.sessions.get(sessionId);
      list.push(msg);
      list.sort((a, b) => a.sequenceNumber - b.sequenceNumber);
      if (push && pusher) {
        const frame = JSON.parse(newMessageFrame(sessionId, msg));
        pusher.broadcast(frame.channel, frame.event, frame.data);
      }
      return msg;
    },
    count(route) {
      return this.requests.filter((r) => r.route === route).length;
    },
    close: undefined,
  };

  const server = createServer(async (request, response) => {
    const url = new URL(request.url, 'http://localhost');
    let body = '';
    for await (const chunk of request) body += chunk;
    const route = routeOf(request.method, url.pathname);
    const answer = (status, value, headers = {}) => {
      app.requests.push({ method: request.method, path: url.pathname + url.search, route, status, at: Date.now() });
      response.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      response.end(JSON.stringify(value));
    };
    const failure = route && app.failures[route]?.shift();
    if (failure === 'reset') {
      app.requests.push({ method: request.method, path: url.pathname + url.search, route, status: 0 });
      request.socket.destroy();
      return;
    }
    if (typeof failure === 'object') {
      return answer(failure.status, { error: 'injected failure' }, { 'Retry-After': failure.retryAfter });
    }
    if (failure) return answer(failure, { error: 'injected failure' });
    const bearer = (request.headers.authorization ?? '').replace(/^Bearer /, '');

    if (route === 'login') {
      const { email, password } = JSON.parse(body || '{}');
      if (email !== 'demo@example.com' || password !== 'demo') return answer(401, { error: 'bad credentials' });
      valid.add('token-demo');
      return answer(200, { accessToken: 'token-demo' });
    }
    if (route === 'auth') {
      if (!valid.has(bearer)) return answer(401, { error: 'unauthorized' });
      const form = new URLSearchParams(body);
      const socketId = form.get('socket_id');
      const channel = form.get('channel_name');
      if (!socketId || !channel?.startsWith('private-session-')) return answer(400, { error: 'bad request' });
      return answer(200, { auth: `${pusher?.key ?? 'test-key'}:${sign(socketId, channel)}` });
    }
    if (route === 'messages') {
      if (!valid.has(bearer)) return answer(401, { error: 'unauthorized' });
      const sessionId = decodeURIComponent(url.pathname.split('/')[3]);
      const limit = Number(url.searchParams.get('limit') ?? 50);
      const after = Number(url.searchParams.get('afterSequence') ?? 0);
      const newer = (app.sessions.get(sessionId) ?? []).filter((m) => m.sequenceNumber > after);
      return answer(200, { messages: newer.slice(0, limit), hasMore: newer.length > limit });
    }
    answer(404, { error: 'not found' });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  app.url = `http://127.0.0.1:${server.address().port}`;
  app.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(resolve);
    });
  return app;
}

function routeOf(method, path) {
  if (method === 'POST' && path === '/api/auth/login') return 'login';
  if (method === 'POST' && path === '/api/pusher/auth') return 'auth';
  if (method === 'GET' && /^\/api\/session\/[^/]+\/messages$/.test(path)) return 'messages';
  return undefined;
}
