// popup.html's first script, a classic one in its head (popup.js, a module, runs only once the
// page is parsed): starts the popup's own read of the chat from the local copy at once, so that
// the first paint waits for neither the page's module nor the service worker
// (view/early-copy.ts; popup.ts takes the read). Bundled on its own as an IIFE by build.mjs.
import { startEarlyCopy } from '../view/early-copy.js';

/**
 * Rows of the chat the popup reads from the local copy itself for its first paint: a few screens
 * (about ten rows show), far fewer than the copy's 1,000; the worker's snapshot brings the rest.
 */
export const EARLY_ROWS = 50;

void startEarlyCopy(EARLY_ROWS);
