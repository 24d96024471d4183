// Answers the views' requests: the session list and a new session over REST, selecting a session
// in the engine, and sending a message (POST /api/agent/interact, idempotent on the view's
// clientMessageId, so a view may repeat a send whose answer was lost with a restarted worker).
import { ApiClient, describeError } from '../shared/api.js';
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
      return api(host).interact(request.sessionId, request.content, request.clientMessageId);
    case 'refresh':
      host.refresh();
      return null;
    case 'snapshot':
      return null; // posted by the hub itself, in order with the broadcasts
    case 'figures':
      return host.currentFigures();
  }
}

function api(host: EngineHost): ApiClient {
  const { settings, token } = host.current();
  if (!settings) throw new Error('the worker has no settings yet');
  return new ApiClient(settings.apiBase, token);
}

export { describeError };
