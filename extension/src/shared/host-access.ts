// Whether Chrome lets the extension use a set of hosts (chrome.permissions). The worker checks
// before it builds an engine or calls the backend; the options page asks for what is missing when
// the user saves. Loopback hosts and the build's defaults are granted in the manifest; any other
// host is one of its optional_host_permissions (manifest.mjs).

/** The origins (match patterns, hosts.js) the extension has no permission for; none: all granted. */
export async function missingOrigins(origins: readonly string[]): Promise<string[]> {
  const granted = await Promise.all(origins.map((origin) => chrome.permissions.contains({ origins: [origin] })));
  return origins.filter((_, index) => !granted[index]);
}

/**
 * Asks the user for these origins; true when all are granted (at once, without a prompt, when they
 * already were). Chrome shows its prompt only inside a user gesture: call this synchronously from
 * the click or submit handler, before anything awaits.
 */
export function requestOrigins(origins: readonly string[]): Promise<boolean> {
  return chrome.permissions.request({ origins: [...origins] });
}

/** What the worker says when it refuses to use a host (an error note, a failed request). */
export function noPermissionMessage(missing: readonly string[]): string {
  return `No permission for ${missing.join(', ')}: grant it on the options page (Connection)`;
}
