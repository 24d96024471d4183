// A stand-in for Sockudo's HTTP API, for the tests that do not need real WebSockets: it checks
// each request's Pusher signature like Sockudo does and records the events in arrival order.
// `down()` makes it refuse requests with 503, to play an unreachable or failing Sockudo.
// `beforeAnswer(fn)` makes it call `await fn(events of this request)` before it answers, so a test
// can look at the server while a trigger is still in flight (what is stored when an event leaves).
import http from 'node:http';
import { createHash, createHmac } from 'node:crypto';

/**
 * @param {{appId?: string, key?: string, secret?: string}} app
 * @returns {Promise<{port, events: object[], requests: object[], clear(), down(), up(), beforeAnswer(fn), close()}>}
 *   `events` holds `{channel, name, data}` with `data` parsed; `requests` one entry per request.
 */
export async function startFakeSockudo({ appId = 'pushsync-app', key = 'pushsync-key', secret = 'pushsync-secret' } = {}) {
  const events = [];
  const requests = [];
  let failing = false;
  let hook = null;

  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      const url = new URL(req.url, 'http://fake');
      const reply = (status, payload) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      const answer = (status, payload, received = []) => {
        if (!hook || !received.length) return reply(status, payload);
        Promise.resolve().then(() => hook(received)).then(
          () => reply(status, payload),
          (error) => reply(500, { error: `beforeAnswer failed: ${error}` }),
        );
      };
      if (failing) return answer(503, { error: 'fake Sockudo is down' });
      const problem = checkSignature(req.method, url, body, key, secret);
      if (problem) return answer(401, { error: problem });
      if (url.pathname === `/apps/${appId}/events`) {
        const event = JSON.parse(body);
        requests.push({ kind: 'events', count: 1 });
        const received = event.channels.map((channel) => ({ channel, name: event.name, data: JSON.parse(event.data) }));
        events.push(...received);
        return answer(200, {}, received);
      }
      if (url.pathname === `/apps/${appId}/batch_events`) {
        const { batch } = JSON.parse(body);
        requests.push({ kind: 'batch', count: batch.length });
        const received = batch.map((event) => ({ channel: event.channel, name: event.name, data: JSON.parse(event.data) }));
        events.push(...received);
        return answer(200, { batch: batch.map(() => ({})) }, received);
      }
      return answer(404, { error: `no route ${url.pathname}` });
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    port: server.address().port,
    events,
    requests,
    clear() { events.length = 0; requests.length = 0; hook = null; },
    down() { failing = true; },
    up() { failing = false; },
    beforeAnswer(fn) { hook = fn; },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

// Pusher HTTP API signing: HMAC-SHA256 over "METHOD\nPATH\nsorted query without the signature".
function checkSignature(method, url, body, key, secret) {
  const params = Object.fromEntries(url.searchParams);
  if (params.auth_key !== key) return 'wrong auth_key';
  if (body && params.body_md5 !== createHash('md5').update(body).digest('hex')) return 'wrong body_md5';
  const query = Object.keys(params).filter((name) => name !== 'auth_signature').sort()
    .map((name) => `${name}=${params[name]}`).join('&');
  const expected = createHmac('sha256', secret).update(`${method}\n${url.pathname}\n${query}`).digest('hex');
  return params.auth_signature === expected ? null : 'wrong auth_signature';
}
