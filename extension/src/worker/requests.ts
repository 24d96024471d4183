// Answers the views' requests: the session list and a new session from the backend, selecting a
// session in the engine, and sending a message (idempotent on the view's clientMessageId, so a
// view may repeat a send whose answer was lost with a restarted worker). Backend calls go through
// backend-routes.ts, and only to a host the extension has permission for.
import { backend, type Backend } from '../shared/backend-routes.js';
import { noPermissionMessage } from '../shared/host-access.js';
import { ApiError, describeError } from '../shared/http.js';
import type { Request } from '../shared/protocol.js';
import type { EngineHost } from './engine-host.js';

export async function answerRequest(host: EngineHost, request: Request): Promise<unknown> {
  // A view that woke the worker may ask before the settings were read.
  await host.started;
  switch (request.op) {
    case 'listSessions':
      return api(host).listSessions();
    case 'createSession':
      return api(host).createSession(request.title);
    case 'selectSession':
      host.selectSession(request.sessionId);
      return null;
    case 'send':
      await api(host).send(request.sessionId, request.content, request.clientMessageId);
      return null;
    case 'retrySend':
    case 'discardSend':
      throw new Error(`${request.op}: the outbox is not built yet (issue 10.2)`);
    case 'refresh':
      host.refresh();
      return null;
    case 'snapshot':
      return null; // posted by the hub itself, in order with the broadcasts
    case 'figures':
      return host.currentFigures();
  }
}

function api(host: EngineHost): Backend {
  const { settings, token, missingOrigins } = host.current();
  if (!settings) throw new Error('the worker has no settings yet');
  if (missingOrigins.length > 0) {
    throw new ApiError(0, 'no_host_permission', noPermissionMessage(missingOrigins));
  }
  return backend(settings.apiBase, token);
}

export { describeError };
