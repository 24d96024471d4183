// Connects a page to the worker: a ViewState kept current over a WorkerPort, with a fresh snapshot
// asked for whenever a diff does not fit.
import { ViewState } from './view-state.js';
import { WorkerPort } from './worker-port.js';

/** `connect: false`: the caller connects the port itself, later (the popup, after its first paint). */
export function connectView({ connect = true }: { connect?: boolean } = {}): { state: ViewState; port: WorkerPort } {
  const state = new ViewState();
  const port: WorkerPort = new WorkerPort(
    (message) => {
      if (state.receive(message)) return;
      // The worker posts the snapshot in line with its broadcasts; a closed port brings one anyway.
      port.request({ op: 'snapshot' }).catch(() => {});
    },
    (linked) => state.setLinked(linked),
  );
  if (connect) port.connect();
  return { state, port };
}
