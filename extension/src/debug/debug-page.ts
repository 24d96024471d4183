// debug.html: the debug panel on a page of its own (a tab), a view of the worker like the popup.
import { connectView } from '../view/connect-view.js';
import { byId } from '../view/dom.js';
import { DebugPanel } from './debug-panel.js';

const { state, port } = connectView();
new DebugPanel(byId('debug-panel'), state, port);
