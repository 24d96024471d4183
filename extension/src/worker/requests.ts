// Answers the views' requests: the session list and a new session from the backend, selecting a
// session in the engine, and the outbox's sends (a send is answered once the message is persisted
// in the outbox, not when it is delivered; idempotent on the view's clientMessageId, so a view may
// repeat a send whose answer was lost with a restarted worker), retries and discards. Backend
// calls go through backend-routes.ts, and only to a host the extension has permission for.
import { backend, type Backend } from '../shared/backend-routes.js';
import { noPermissionMessage } from '../shared/host-access.js';
import { ApiError, describeError } from '../shared/http.js';
import type { Request } from '../shared/protocol.js';
import type { EngineHost } from './engine-host.js';
import type { Outbox } from './outbox.js';

export async function answerRequest(host: EngineHost, outbox: Outbox, request: Request): Promise<unknown> {
  // A view that woke the worker may ask before the settings were read.
  await host.started;
  switch (request.op) {
    case 'listSessions':
      // The stored list when the server is unreachable (session-cache.ts).
      return host.sessionList.list(() => api(host).listSessions());
    case 'createSession':
      return api(host).createSession(request.title);
    case 'selectSession':
      await host.selectSession(request.sessionId);
      return null;
    case 'send':
      await outbox.enqueue(request.sessionId, request.content, request.clientMessageId);
      return null;
    case 'retrySend':
      await outbox.retry(request.clientMessageId);
      return null;
    case 'discardSend':
      await outbox.discard(request.clientMessageId);
      return null;
    case 'refresh':
      host.refresh();
      return null;
    case 'snapshot':
    case 'messages':
      return null; // posted by the hub itself, in order with the broadcasts
    case 'figures':
      return host.currentFigures();
  }
}

/** The backend of the current settings and token; an ApiError when Chrome gave no permission for its host. */
export function api(host: EngineHost): Backend {
  const { settings, token, missingOrigins } = host.current();
  if (!settings) throw new Error('the worker has no settings yet');
  if (missingOrigins.length > 0) {
    throw new ApiError(0, 'no_host_permission', noPermissionMessage(missingOrigins));
  }
  return backend(settings.apiBase, token);
}

export { describeError };
