// Health, login, bearer tokens (401s), CORS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT } from 'jose';
import { startTestServer, ALICE, BOB } from './helpers.mjs';

let server;
before(async () => { server = await startTestServer(); });
after(async () => { await server.close(); });

test('GET /api/health answers {ok:true} and the profile', async () => {
  const response = await server.call('GET', '/api/health');
  assert.equal(response.status, 200);
  assert.deepEqual(response.body, { ok: true, profile: 'full' });
});

test('the demo users can log in and get a bearer token', async () => {
  for (const user of [ALICE, BOB]) {
    const response = await server.call('POST', '/api/auth/login', { body: user });
    assert.equal(response.status, 200);
    assert.match(response.body.accessToken, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  }
});

test('login is case-insensitive on the email', async () => {
  const response = await server.call('POST', '/api/auth/login', { body: { email: 'Alice@Example.com', password: ALICE.password } });
  assert.equal(response.status, 200);
});

test('a wrong password or an unknown email is a 401 with the same message', async () => {
  const wrong = await server.call('POST', '/api/auth/login', { body: { email: ALICE.email, password: 'nope' } });
  const unknown = await server.call('POST', '/api/auth/login', { body: { email: 'carol@example.com', password: 'nope' } });
  assert.equal(wrong.status, 401);
  assert.equal(unknown.status, 401);
  assert.equal(wrong.body.error.message, unknown.body.error.message);
});

test('login with a malformed body is a 400 naming the problem', async () => {
  const cases = [
    [{ password: 'x' }, /'email' is required/],
    [{ email: ALICE.email }, /'password' is required/],
    [{ email: 5, password: 'x' }, /'email' is required and must be a string/],
    ['[1,2]', /JSON object/],
    ['{"email": ', /JSON/i],
  ];
  for (const [body, message] of cases) {
    const response = await server.call('POST', '/api/auth/login', { body });
    assert.equal(response.status, 400, JSON.stringify(body));
    assert.equal(response.body.error.code, 'bad_request');
    assert.match(response.body.error.message, message);
  }
});

test('protected routes answer 401 without, with a malformed, a forged or an expired token', async () => {
  const secret = new TextEncoder().encode('pushsync-dev-jwt-secret');
  const claims = (builder) => builder.setProtectedHeader({ alg: 'HS256' }).setIssuer('pushsync-server').setAudience('pushsync');
  const expired = await claims(new SignJWT({}).setSubject('x').setIssuedAt(1_000).setExpirationTime(2_000)).sign(secret);
  const forged = await claims(new SignJWT({}).setSubject('x').setExpirationTime('1h')).sign(new TextEncoder().encode('another secret'));
  const token = await server.login(ALICE);
  const tampered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');

  for (const [what, auth] of [['none', undefined], ['not bearer', `Basic ${token}`], ['garbage', 'Bearer abc'],
    ['forged', `Bearer ${forged}`], ['expired', `Bearer ${expired}`], ['tampered', `Bearer ${tampered}`]]) {
    const headers = auth ? { authorization: auth } : {};
    const response = await server.call('GET', '/api/sessions', { headers });
    assert.equal(response.status, 401, what);
    assert.equal(response.body.error.code, 'unauthorized', what);
  }
  const expiredAnswer = await server.call('GET', '/api/sessions', { headers: { authorization: `Bearer ${expired}` } });
  assert.match(expiredAnswer.body.error.message, /expired/);
});

test('tokens expire after TOKEN_TTL', async () => {
  const short = await startTestServer({ env: { TOKEN_TTL: '1s' } });
  try {
    const token = await short.login(ALICE);
    assert.equal((await short.call('GET', '/api/sessions', { token })).status, 200);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const late = await short.call('GET', '/api/sessions', { token });
    assert.equal(late.status, 401);
    assert.match(late.body.error.message, /expired/);
  } finally {
    await short.close();
  }
});

test('unknown routes are a JSON 404', async () => {
  const response = await server.call('GET', '/api/nothing-here');
  assert.equal(response.status, 404);
  assert.equal(response.body.error.code, 'not_found');
});

test('CORS: extension origins and the demo page are allowed, preflight included; others are not', async () => {
  for (const origin of ['chrome-extension://abcdefghijklmnop', 'http://127.0.0.1:3000', 'http://localhost:3000']) {
    const preflight = await server.call('OPTIONS', '/api/session/x/messages', {
      headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    assert.equal(preflight.status, 204, origin);
    assert.equal(preflight.headers.get('access-control-allow-origin'), origin);
    assert.match(preflight.headers.get('access-control-allow-headers'), /Authorization/);
    const simple = await server.call('GET', '/api/health', { headers: { origin } });
    assert.equal(simple.headers.get('access-control-allow-origin'), origin);
  }
  const evil = await server.call('GET', '/api/health', { headers: { origin: 'https://evil.example' } });
  assert.equal(evil.headers.get('access-control-allow-origin'), null);
});

test('CORS: ALLOWED_ORIGINS replaces the default list', async () => {
  const custom = await startTestServer({ env: { ALLOWED_ORIGINS: 'https://app.example, chrome-extension://fixedid' } });
  try {
    const allowed = await custom.call('GET', '/api/health', { headers: { origin: 'https://app.example' } });
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://app.example');
    const other = await custom.call('GET', '/api/health', { headers: { origin: 'chrome-extension://otherid' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  } finally {
    await custom.close();
  }
});

test('request lines are logged unless QUIET', async () => {
  const loud = await startTestServer({ env: { QUIET: '0' } });
  try {
    await loud.call('GET', '/api/health');
    assert.equal(loud.logs.length, 1);
    assert.match(loud.logs[0], /^GET \/api\/health 200 [\d.]+ms$/);
  } finally {
    await loud.close();
  }
  await server.call('GET', '/api/health');
  assert.deepEqual(server.logs, []);
});
