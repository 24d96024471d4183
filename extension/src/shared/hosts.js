// Which hosts the extension talks to, as Chrome sees them: loopback or not, the TLS default, and
// the host-permission match patterns for the API base and the push socket. Pure functions, plain
// JavaScript with JSDoc types, so that the build (manifest.mjs, under Node), the extension
// (bundled by esbuild, checked by tsc) and `node --test` all use this one file.

/**
 * The hosts the development setup runs on: always granted in the manifest, TLS off by default.
 * 127.0.0.0/8 is all loopback, but a match pattern cannot name a range, so only 127.0.0.1 is
 * granted up front; another 127.x address is asked for like any other host.
 */
export const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];

/** The four schemes the extension uses: REST and channel auth, the push socket. */
const SCHEMES = ['https', 'http', 'wss', 'ws'];

/** What the options page may ask for at run time: any host, on those schemes. */
export const OPTIONAL_HOST_PERMISSIONS = SCHEMES.map((scheme) => `${scheme}://*/*`);

/**
 * Every loopback host on every scheme (TLS on loopback, e.g. through a local proxy, needs no
 * prompt either). A pattern without a port covers every port.
 */
export const LOOPBACK_HOST_PERMISSIONS = LOOPBACK_HOSTS.flatMap((host) => SCHEMES.map((scheme) => `${scheme}://${host}/*`));

/**
 * The canonical host name (lower case, IPv4 in dotted decimal, IPv6 in brackets) of a host as the
 * user typed it, or null when it is not a bare host (a scheme, a port, a path, a space...).
 * @param {string} text
 * @returns {string | null}
 */
export function parseHost(text) {
  const host = text.trim();
  if (host === '' || /[\s/?#@]/.test(host)) return null;
  // A bare IPv6 address gets its brackets (so "example.com:443", a host with a port, fails to parse).
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  try {
    const url = new URL(`ws://${bracketed}/`);
    return url.port === '' ? url.hostname : null;
  } catch {
    return null;
  }
}

/**
 * The API base as the extension uses it (no trailing slash), or null unless it is an http(s) URL.
 * @param {string} text
 * @returns {string | null}
 */
export function parseApiBase(text) {
  const base = text.trim().replace(/\/+$/, '');
  try {
    const url = new URL(base);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' ? base : null;
  } catch {
    return null;
  }
}

/**
 * 127.0.0.0/8, localhost and ::1: traffic that never leaves the machine.
 * @param {string} host a host as typed, or a URL's hostname
 */
export function isLoopbackHost(host) {
  const name = parseHost(host);
  if (name === null) return false;
  // The URL parser already turned 127.1, 0x7f.0.0.1 and [0:0::1] into these forms.
  return name === 'localhost' || name === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

/**
 * wss:// unless the push host is loopback: a production socket is encrypted unless the user says
 * otherwise, and the development stack (plain Sockudo on 127.0.0.1) works without a setting.
 * @param {string} wsHost
 */
export function defaultTls(wsHost) {
  return !isLoopbackHost(wsHost);
}

/**
 * The host-permission pattern of one origin. It names no port: Chrome's pattern then covers every
 * port, so moving a server to another port needs no new grant.
 * @param {'http' | 'https' | 'ws' | 'wss'} scheme
 * @param {string} host
 */
export function originPattern(scheme, host) {
  return `${scheme}://${parseHost(host) ?? host}/*`;
}

/** @param {string} apiBase an http(s) URL */
export function apiOrigin(apiBase) {
  const url = new URL(apiBase);
  return originPattern(url.protocol === 'https:' ? 'https' : 'http', url.hostname);
}

/**
 * @param {string} wsHost
 * @param {boolean} wsTls
 */
export function socketOrigin(wsHost, wsTls) {
  return originPattern(wsTls ? 'wss' : 'ws', wsHost);
}

/**
 * @typedef {{ apiBase: string, wsHost: string, wsTls: boolean }} Endpoints
 */

/**
 * The host permissions these settings need: the API base's origin (REST, channel auth) and the
 * push socket's (ws or wss). An empty socket host means poll only.
 * @param {Endpoints} endpoints
 * @returns {string[]}
 */
export function requiredOrigins({ apiBase, wsHost, wsTls }) {
  const origins = [apiOrigin(apiBase)];
  if (wsHost.trim() !== '') origins.push(socketOrigin(wsHost, wsTls));
  return [...new Set(origins)];
}

/**
 * The origins of these settings that travel unencrypted to another machine (plain http or ws on a
 * host that is not loopback): the options page warns about each.
 * @param {Endpoints} endpoints
 * @returns {string[]}
 */
export function unencryptedOrigins({ apiBase, wsHost, wsTls }) {
  const api = new URL(apiBase);
  const plain = [];
  if (api.protocol === 'http:' && !isLoopbackHost(api.hostname)) plain.push(`http://${api.host}`);
  if (wsHost.trim() !== '' && !wsTls && !isLoopbackHost(wsHost)) plain.push(`ws://${parseHost(wsHost) ?? wsHost}`);
  return plain;
}
