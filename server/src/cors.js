// Which browser origins may call the API. Patterns are exact origins or contain one `*`
// ("chrome-extension://*" matches every extension id), the same rule Sockudo applies to its
// allowed_origins, so one list can serve both.

/** Compiles origin patterns into a predicate `(origin) => boolean`. */
export function originMatcher(patterns) {
  const rules = patterns.map((pattern) => {
    const lower = pattern.toLowerCase();
    if (lower === '*') return () => true;
    const star = lower.indexOf('*');
    if (star < 0) return (origin) => origin === lower;
    const prefix = lower.slice(0, star);
    const suffix = lower.slice(star + 1);
    return (origin) => origin.length >= prefix.length + suffix.length && origin.startsWith(prefix) && origin.endsWith(suffix);
  });
  return (origin) => {
    const lower = origin.toLowerCase();
    return rules.some((rule) => rule(lower));
  };
}

/** Options for @fastify/cors: bearer tokens, no cookies, preflight cached for ten minutes. */
export function corsOptions(patterns) {
  const allowed = originMatcher(patterns);
  return {
    // Requests without an Origin (curl, Node, the CLI) are not browser requests: CORS does not apply.
    origin: (origin, callback) => callback(null, origin === undefined || allowed(origin)),
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['Authorization', 'Content-Type', 'X-Admin-Token'],
    credentials: false,
    maxAge: 600,
  };
}
