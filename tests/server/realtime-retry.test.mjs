// A trigger whose connection breaks under it (a Sockudo node behind the balancer killed while it
// held the request) is sent once more; an HTTP refusal is not, and neither is anything while pushes
// already fail. Against a small HTTP server that cuts the connections it is told to.
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { createRealtime, events } from '../../server/src/realtime.js';

async function sockudoStandIn(answers) {
  const seen = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => { body += chunk; }).on('end', () => {
      const answer = answers[seen.length] ?? 'ok';
      seen.push(JSON.parse(body).name);
      if (answer === 'cut') request.socket.destroy(); // ECONNRESET for the client
      else if (answer === 503) response.writeHead(503).end('busy');
      else response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: server.address().port, seen, close: () => new Promise((resolve) => server.close(resolve)) };
}

const realtimeOn = (port, errors) => createRealtime({ host: '127.0.0.1', port, appId: 'app', key: 'key', secret: 'secret', timeoutMs: 2000 }, (line) => errors.push(line));
const message = (n) => events.typing('00000000-0000-4000-8000-000000000001', true, `n${n}`);

test('a trigger whose connection was cut is sent once more, and succeeds', async () => {
  const stand = await sockudoStandIn(['cut', 'ok']);
  const errors = [];
  try {
    assert.equal(await realtimeOn(stand.port, errors).publish(message(1)), true);
    assert.deepEqual(stand.seen, ['typing', 'typing']);
    assert.deepEqual(errors, []);
  } finally {
    await stand.close();
  }
});

test('an HTTP refusal is not retried; while pushes fail, a cut connection is not retried either', async () => {
  const stand = await sockudoStandIn([503, 'cut', 'ok']);
  const errors = [];
  try {
    const realtime = realtimeOn(stand.port, errors);
    assert.equal(await realtime.publish(message(1)), false);
    assert.equal(stand.seen.length, 1, 'the 503 was sent once');
    assert.equal(await realtime.publish(message(2)), false);
    assert.equal(stand.seen.length, 2, 'failing already: the cut trigger was not sent again');
    assert.equal(await realtime.publish(message(3)), true);
    assert.match(errors.at(-1), /push recovered after 2 failed trigger\(s\)/);
  } finally {
    await stand.close();
  }
});
