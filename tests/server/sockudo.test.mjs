// The reference server against the REAL Sockudo, through a raw Pusher-protocol client (`ws`):
// channel auth accepted and refused, the interact events in order, batches, and Sockudo's V2
// connection recovery as configured by toolchain/sockudo.toml.template.
//
// The stack (Sockudo + app server) runs isolated: its own run folder and free ports, started and
// stopped through toolchain/stack.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { httpClient, ALICE, BOB } from './helpers.mjs';
import { isolatedStack, pusherClient } from './stack.mjs';

let stack;
let api;
let alice;
let bob;
const clients = [];

before(async () => {
  stack = await isolatedStack();
  const up = await stack.command('up');
  assert.equal(up.code, 0, `stack up failed:\n${up.stdout}\n${up.stderr}`);
  api = httpClient(stack.url);
  alice = await api.login(ALICE);
  bob = await api.login(BOB);
});

after(async () => {
  for (const client of clients) client.ws.terminate();
  if (stack) {
    const down = await stack.down();
    assert.equal(down.code, 0, down.stderr);
  }
});

async function connect(options) {
  const client = await pusherClient(stack.sockudoPort, options);
  clients.push(client);
  return client;
}

async function channelAuth(token, socketId, channel) {
  return api.call('POST', '/api/pusher/auth', { token, form: { socket_id: socketId, channel_name: channel } });
}

async function subscribedClient(token, sessionId, options) {
  const client = await connect(options);
  const channel = `private-session-${sessionId}`;
  const auth = await channelAuth(token, client.socketId, channel);
  assert.equal(auth.status, 200, JSON.stringify(auth.body));
  const ack = await client.subscribe(channel, auth.body.auth);
  return { client, channel, ack };
}

const appEvents = (client, channel) => client.frames.filter((f) => f.channel === channel && !f.event.includes(':'));

test('Sockudo announces the socket and the default activity timeout', async () => {
  const client = await connect();
  assert.match(client.socketId, /^\d+\.\d+$/);
  assert.equal(client.established.activity_timeout, 120);
});

test('the interact turn arrives over the WebSocket, in order, once', async () => {
  const sessionId = await api.createSession(alice);
  const { client, channel } = await subscribedClient(alice, sessionId);
  const answer = await api.call('POST', '/api/agent/interact', { token: alice, body: { sessionId, content: 'over the wire' } });
  assert.equal(answer.status, 200);
  await client.waitFor((f) => f.event === 'interact_response' && f.channel === channel, { what: 'interact_response' });

  const events = appEvents(client, channel);
  assert.deepEqual(events.map((f) => [f.event, f.data.message?.role ?? f.data.context ?? f.data.status ?? f.data.isTyping]), [
    ['new_message', 'user'],
    ['typing', 'thinking'],
    ['typing', 'executing'],
    ['new_message', 'assistant'],
    ['typing', 'verifying'],
    ['message_update', 'success'],
    ['typing', false],
    ['interact_response', undefined],
  ]);
  assert.deepEqual(events[0].data.message, answer.body.userMessage);
  assert.equal(events[5].data.messageId, answer.body.assistantMessage.messageId);
  assert.deepEqual(events[7].data.data, answer.body.response);
  for (const event of events) assert.equal(event.data.sessionId, sessionId);
});

test('another user\'s token gets 403 and no signature; a borrowed signature is refused by Sockudo', async () => {
  const sessionId = await api.createSession(alice);
  const channel = `private-session-${sessionId}`;
  const intruder = await connect();
  const refused = await channelAuth(bob, intruder.socketId, channel);
  assert.equal(refused.status, 403);
  assert.equal(refused.body.auth, undefined);

  // Alice's signature is bound to her socket: replayed on another socket, Sockudo says 4009.
  const owner = await connect();
  const signed = await channelAuth(alice, owner.socketId, channel);
  const from = intruder.frames.length;
  intruder.send('pusher:subscribe', { channel, auth: signed.body.auth });
  const error = await intruder.waitFor((f) => f.event === 'pusher:error', { from, what: 'pusher:error' });
  assert.equal(error.data.code, 4009);
  assert.ok(!intruder.frames.some((f) => f.event === 'pusher_internal:subscription_succeeded' && f.channel === channel));

  await api.adminPost(sessionId, ['secret']);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.deepEqual(appEvents(intruder, channel), [], 'nothing from the channel leaks to the intruder');
});

test('an admin batch of 100 arrives complete and in sequence order', async () => {
  const sessionId = await api.createSession(alice);
  const { client, channel } = await subscribedClient(alice, sessionId);
  const stored = await api.adminPost(sessionId, Array.from({ length: 100 }, (_, i) => `bulk ${i}`));
  await client.waitFor(() => appEvents(client, channel).length >= 100, { what: '100 new_message events' });
  const received = appEvents(client, channel).map((f) => f.data.message.sequenceNumber);
  assert.deepEqual(received, stored.map((m) => m.sequenceNumber));
});

test('protocol V2: a reconnecting client resumes from its last serial and gets what it missed', async () => {
  const sessionId = await api.createSession(alice);
  const { client, channel, ack } = await subscribedClient(alice, sessionId, { protocol: 2 });
  assert.ok(ack.stream_id, `the V2 subscription ack carries a stream_id: ${JSON.stringify(ack)}`);
  await api.adminPost(sessionId, ['seen']);
  const seen = await client.waitFor((f) => f.event === 'new_message', { what: 'the first message' });
  assert.equal(typeof seen.serial, 'number', `V2 events carry a serial: ${JSON.stringify(seen)}`);
  await client.close();

  const missed = await api.adminPost(sessionId, ['missed 1', 'missed 2', 'missed 3']);
  const again = await connect({ protocol: 2 });
  again.send('sockudo:resume', { channel_positions: { [channel]: { stream_id: seen.stream_id, serial: seen.serial } } });
  const success = await again.waitFor((f) => f.event === 'sockudo:resume_success', { what: 'sockudo:resume_success' });
  const replayed = again.frames.filter((f) => f.event === 'new_message').map((f) => f.data.message.content);
  assert.deepEqual(replayed, missed.map((m) => m.content));
  assert.equal(success.data.recovered?.[0]?.replayed, 3, JSON.stringify(success.data));
});
