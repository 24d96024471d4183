// The selected session's messages as a windowed list: only a window of rows near the viewport is
// in the DOM (at most WINDOW_ROWS, whatever the chat's length), with two spacers standing in for
// the rows above and below it, sized by the rows' average measured height. DOM work is batched
// into one animation frame and is O(changed): the engine's positional diffs (ViewState.lastDiff)
// move the window's indices, a row is refilled only when its message object changed, and no
// layout is read per message (heights come from a ResizeObserver, after layout).
//
// Scrolling: the list follows the bottom while the reader is within STICKY_BOTTOM_PX of it (the
// outbox's pending sends below the list count: the scroller's whole content is what is followed).
// Otherwise the reader's place is kept: rows added or removed above the viewport are compensated
// by Chrome's scroll anchoring (the spacers opt out of it, the rows are the anchors). Scrolling
// near an edge of the window moves the window by WINDOW_STEP rows; a jump (the scrollbar dragged)
// puts the window where the spacer's estimate says the viewport is.
//
// A gap (messages the backend could not give) is shown before the message it precedes.
//
// The view holds only a run of the chat's messages (ViewState.window: the newest from the
// snapshot). Indices here are the whole chat's; rows are drawn for the part of the window the view
// holds, and the rest is asked for (`ask`, a few screens beyond it) and drawn when it comes. What
// the view holds is trimmed back to the rows near the window.
//
// A new list (a snapshot) that still has the window's messages keeps their rows, in place: the
// window moves onto the same messages in it. So the first paint, which may come from the local
// copy the popup read itself (ViewState.showLocalCopy: its newest rows, drawn at once, before the
// worker answered), gives way to the worker's snapshot without a row drawn twice, rebuilt or moved.
import type { Gap, MessagesDiff } from 'pushsync';
import { el, setText } from '../view/dom.js';
import { FrameBatch } from '../view/frame-batch.js';
import { HELD_MAX, type ViewState } from '../view/view-state.js';
import { budgetStart, clampWindow, followWindow, scrollWindow, shiftWindow } from './list-window.js';
import { MessageRow } from './message-row.js';

/** Within this many pixels of the bottom, new content keeps the list scrolled to the end. */
const STICKY_BOTTOM_PX = 48;
/** Rows in the DOM at most: a few screens of them, far fewer than a long chat. */
export const WINDOW_ROWS = 150;
/** Rows made in one frame at most while following the bottom (a burst fills the window over frames). */
const NEW_ROWS_PER_FRAME = 12;
/** Rows the window moves by when the viewport comes within a screen of its edge. */
const WINDOW_STEP = 50;
/** The height of a row before any is measured (px, with the list's 8 px gap). */
const FIRST_GUESS_PX = 64;
/** The list's flex gap between rows (styles.css `.messages`). */
const ROW_GAP_PX = 8;
/** Rows asked for beyond each end of the window when the view does not hold them. */
const ASK_MARGIN = 150;
/** Past HELD_MAX held messages, the view keeps this many rows each side of the window. */
const KEEP_MARGIN = 225;

export class MessageListView {
  private readonly rows = new Map<string, MessageRow>();
  /** Rows that left the window, kept to be refilled for the next ones (fewer nodes made and collected). */
  private readonly spare: MessageRow[] = [];
  private readonly gapNodes = new Map<string, HTMLLIElement>();
  private readonly top = el('li', { className: 'spacer', attrs: { 'aria-hidden': 'true' } });
  private readonly bottom = el('li', { className: 'spacer', attrs: { 'aria-hidden': 'true' } });
  /** The window: the chat's messages [start, end), in the DOM where the view holds them. */
  private start = 0;
  private end = 0;
  private following = true;
  /** The scroll position at the last scroll event: whether the reader went up. */
  private lastTop = 0;
  /**
   * Set while the scroll events are the list's own (toBottom's, up to the next frame, whose scroll
   * events come before its animation frame callbacks): the frame that ends it, 0 when none.
   */
  private ownScrollEnds = 0;
  /** The session of the list shown: a selection of the same session changes nothing in it. */
  private listSession = '';
  /** The window's rows must be walked (something in it, or the window itself, changed). */
  private walk = true;
  private readonly batch = new FrameBatch(() => this.render());
  private gapBefore = new Map<string, Gap>();
  /** Measured row heights by message id (with the row gap), and their sum. */
  private readonly heights = new Map<string, number>();
  private heightSum = 0;
  private readonly resize: ResizeObserver;
  /** The list shown is the one the view read from the local copy itself, not yet a snapshot's. */
  private fromCopy = false;
  /** The message of the window's first row at the last walk (to find it again in a new list). */
  private firstShownId: string | undefined;
  /** A run asked for and not answered yet: no second one meanwhile. */
  private asking = false;

  constructor(
    private readonly list: HTMLUListElement,
    private readonly scroller: HTMLElement,
    private readonly emptyNote: HTMLElement,
    private readonly state: ViewState,
    /** Asks the worker for the chat's messages [start, start + count) (a `range` change brings them). */
    private readonly ask: (start: number, count: number) => Promise<unknown>,
  ) {
    state.trimsItself = false; // it keeps what is near its window (render)
    this.top.hidden = true;
    this.bottom.hidden = true;
    list.replaceChildren(this.top, this.bottom);
    this.resize = new ResizeObserver((entries) => this.measured(entries));
    // The whole scrolled content (messages, the outbox after them, the empty note) and the
    // scroller itself (the notices and the chats above it change its height).
    for (const child of Array.from(scroller.children)) this.resize.observe(child);
    this.resize.observe(scroller);
    scroller.addEventListener('scroll', () => this.scrolled(), { passive: true });
    state.on((change) => {
      switch (change) {
        case 'messages':
          this.onDiff(state.lastDiff);
          break;
        case 'localCopy':
          // The first paint: its rows go into the DOM now, so the next frame shows them.
          this.listSession = state.sessionId;
          this.fromCopy = true;
          this.restart();
          this.batch.runNow();
          break;
        case 'snapshot':
          this.listSession = state.sessionId;
          this.replaced();
          break;
        case 'session':
          // The engine selected the session again (a restore, another view): the same list.
          if (state.sessionId === this.listSession) break;
          this.listSession = state.sessionId;
          this.replaced();
          break;
        case 'range':
          this.walk = true;
          this.schedule();
          break;
        case 'gaps':
          this.gapBefore = new Map(state.gaps.map((gap) => [gap.beforeId, gap]));
          this.walk = true;
          this.schedule();
          break;
        case 'outbox':
          this.schedule(); // the scroller's height changes: keep following the bottom
          break;
      }
    });
  }

  /** A new list without the window's messages (another session, the first one): show its end. */
  private restart(): void {
    this.gapBefore = new Map(this.state.gaps.map((gap) => [gap.beforeId, gap]));
    this.start = 0; // indices into the old list mean nothing in the new one
    this.end = 0;
    this.following = true;
    this.walk = true;
    this.schedule();
  }

  /**
   * A new list (a snapshot, a selection). When it still has the window's messages, the window
   * goes onto them (keepPlace) if the list followed the bottom, or if it was the local copy the
   * view read itself (the worker's snapshot replaces it, the reader may have scrolled in it);
   * else the list starts over at its end.
   */
  private replaced(): void {
    const keep = this.fromCopy || this.following;
    this.fromCopy = false;
    if (!keep || !this.keepPlace()) this.restart();
  }

  /**
   * The window goes onto the same messages in the new list: the same rows stay in the DOM, in
   * place (following the bottom, the window then grows upwards frame by frame, from them). False:
   * they are not in it.
   */
  private keepPlace(): boolean {
    const { messages, offset, total } = this.state.window;
    const first = this.start < this.end ? this.firstShownId : undefined;
    const held = first === undefined ? -1 : messages.findIndex((message) => message.messageId === first);
    if (held < 0) return false;
    this.gapBefore = new Map(this.state.gaps.map((gap) => [gap.beforeId, gap]));
    const size = this.end - this.start;
    this.start = offset + held;
    this.end = this.following ? total : Math.min(total, this.start + size);
    this.walk = true;
    this.schedule();
    return true;
  }

  /** Moves the window's indices by the diff (final positions, ascending), in O(changed). */
  private onDiff(diff: MessagesDiff | null): void {
    if (diff === null || diff.reset) {
      if (diff?.reset) {
        this.following = true;
        this.start = 0;
        this.end = 0;
      }
      this.walk = true;
      this.schedule();
      return;
    }
    const { start, end, touched } = shiftWindow(this.shown, diff, WINDOW_ROWS);
    this.start = start;
    this.end = end;
    if (touched || this.following) this.walk = true;
    this.schedule(); // the spacers' heights change in any case
  }

  /** The window now, for list-window.js. */
  private get shown(): { start: number; end: number } {
    return { start: this.start, end: this.end };
  }

  private schedule(): void {
    this.batch.schedule();
  }

  private render(): void {
    const { state } = this;
    const count = state.total;
    let more = false;
    if (this.following) {
      const next = followWindow(this.shown, count, WINDOW_ROWS, NEW_ROWS_PER_FRAME);
      this.start = next.start;
      this.end = next.end;
      more = next.more;
    } else {
      const { start, end } = clampWindow(this.shown, count, WINDOW_ROWS);
      this.start = start;
      this.end = end;
    }
    const drawn = state.held(this.start, this.end);
    if (drawn.start !== this.start || drawn.end !== this.end) this.askFor(this.start, this.end);
    if (this.walk && this.following) {
      // However the new rows came (appended, or older history inserted inside the window), no
      // more than NEW_ROWS_PER_FRAME of them are made in one frame: the window starts lower.
      const cut = budgetStart(drawn.start, drawn.end, (i) => this.rows.has(state.at(i)!.messageId), NEW_ROWS_PER_FRAME);
      if (cut.cut) this.start = drawn.start = cut.start;
      more ||= cut.cut;
    }
    if (this.walk) this.walkWindow(drawn);
    this.walk = more;
    if (more) this.schedule(); // the rest of the window next frame
    if (state.messages.length > HELD_MAX) state.keepOnly(this.start - KEEP_MARGIN, this.end + KEEP_MARGIN);
    const average = this.averageRow();
    setSpacer(this.top, drawn.start * average);
    setSpacer(this.bottom, (count - drawn.end) * average);
    // A first message waiting in the outbox is the chat's content already: no "say something".
    const empty = count === 0 && this.state.sessionOutbox().length === 0;
    this.emptyNote.hidden = !empty;
    if (empty) setText(this.emptyNote, this.state.sessionId ? 'No messages yet. Say something!' : 'Pick a chat, or start a new one.');
    if (this.following) this.toBottom();
  }

  /**
   * Asks for the chat's messages around [start, end) (one run at a time; a failed ask, the port
   * closed, is asked again at the next render that needs it).
   */
  private askFor(start: number, end: number): void {
    if (this.asking) return;
    this.asking = true;
    const from = Math.max(0, start - ASK_MARGIN);
    void this.ask(from, end + ASK_MARGIN - from)
      .catch(() => {})
      .finally(() => {
        this.asking = false;
      });
  }

  /**
   * Puts exactly the chat's messages [start, end) (held by the view, and their gap markers)
   * between the spacers, in order. Rows that leave go first: a row still in place would make
   * every row after it look out of place, and moving a node costs its whole style and layout
   * again.
   */
  private walkWindow({ start, end }: { start: number; end: number }): void {
    const { state } = this;
    const keep = new Set<string>();
    for (let i = start; i < end; i++) keep.add(state.at(i)!.messageId);
    this.firstShownId = state.at(start)?.messageId;
    for (const [id, row] of this.rows) {
      if (keep.has(id)) continue;
      this.resize.unobserve(row.node);
      row.node.remove();
      this.rows.delete(id);
      if (this.spare.length < WINDOW_ROWS) this.spare.push(row);
    }
    for (const [id, node] of this.gapNodes) {
      if (keep.has(id) && this.gapBefore.has(id)) continue;
      node.remove();
      this.gapNodes.delete(id);
    }
    let previous: HTMLLIElement = this.top;
    const place = (node: HTMLLIElement) => {
      if (previous.nextSibling !== node) this.list.insertBefore(node, previous.nextSibling);
      previous = node;
    };
    for (let i = start; i < end; i++) {
      const message = state.at(i)!;
      const id = message.messageId;
      const gap = this.gapBefore.get(id);
      if (gap) place(this.gapNode(gap));
      let row = this.rows.get(id);
      if (!row) {
        row = this.spare.pop() ?? new MessageRow(); // a row that left is refilled, not rebuilt
        this.rows.set(id, row);
        this.resize.observe(row.node);
      }
      if (row.message !== message) row.show(message);
      place(row.node);
    }
  }

  private gapNode(gap: Gap): HTMLLIElement {
    let node = this.gapNodes.get(gap.beforeId);
    if (!node) {
      node = el('li', { className: 'gap' });
      this.gapNodes.set(gap.beforeId, node);
    }
    node.dataset['missing'] = gap.missing === null ? '' : String(gap.missing);
    setText(node, gapText(gap.afterId === '', gap.missing));
    return node;
  }

  private averageRow(): number {
    return this.heights.size === 0 ? FIRST_GUESS_PX : this.heightSum / this.heights.size;
  }

  /** ResizeObserver: row heights (after layout, no forced reflow), and growth to follow. */
  private measured(entries: ResizeObserverEntry[]): void {
    let grew = false;
    for (const entry of entries) {
      const node = entry.target as HTMLElement;
      const id = node.dataset['id'];
      if (node.classList.contains('message') && id !== undefined) {
        const height = (entry.borderBoxSize[0]?.blockSize ?? entry.contentRect.height) + ROW_GAP_PX;
        this.heightSum += height - (this.heights.get(id) ?? 0);
        this.heights.set(id, height);
      } else {
        grew = true;
      }
    }
    if (grew && this.following) this.toBottom();
  }

  private toBottom(): void {
    // Past the end: the browser clamps it to the bottom, no layout read needed to compute it.
    this.scroller.scrollTop = Number.MAX_SAFE_INTEGER;
    // Clamped, this scroll may go up (the content shrank: rows shorter than the estimate); seen
    // after the scroller shrank too (a notice above it), it would look like the reader's.
    cancelAnimationFrame(this.ownScrollEnds);
    this.ownScrollEnds = requestAnimationFrame(() => {
      this.ownScrollEnds = 0;
    });
  }

  /** The reader scrolled (scroll events come once a frame, with layout clean: these reads are cheap). */
  private scrolled(): void {
    const { scroller } = this;
    const viewTop = scroller.scrollTop;
    const height = scroller.clientHeight;
    const viewBottom = viewTop + height;
    // Only the reader stops the following, by scrolling up: a scroll the layout made (the
    // scroller shrank under a notice or the debug panel, anchoring moved it) moves down, if at
    // all, and the list's own (toBottom, clamped) are not the reader's.
    const up = viewTop < this.lastTop - 1 && this.ownScrollEnds === 0;
    this.lastTop = viewTop;
    const atBottom = scroller.scrollHeight - viewBottom < STICKY_BOTTOM_PX;
    if (atBottom) this.following = true;
    else if (up) this.following = false;
    if (this.following) {
      if (!atBottom) this.toBottom();
      if (this.end < this.state.total || this.start < Math.max(0, this.state.total - WINDOW_ROWS)) {
        this.walk = true;
        this.schedule();
      }
      return;
    }
    const count = this.state.total;
    const listTop = this.list.offsetTop;
    const rendered = {
      listTop,
      top: this.top.hidden ? listTop : this.bottomOf(this.top),
      bottom: this.bottom.hidden ? scroller.scrollHeight : this.bottom.offsetTop,
    };
    const moved = scrollWindow(this.shown, count, { top: viewTop, bottom: viewBottom }, rendered, { averageRow: this.averageRow(), windowRows: WINDOW_ROWS, step: WINDOW_STEP });
    if (moved === null) return;
    this.start = moved.start;
    this.end = moved.end;
    this.walk = true;
    this.schedule();
  }

  private bottomOf(node: HTMLElement): number {
    return node.offsetTop + node.offsetHeight;
  }
}

/** A spacer's own row gap counts towards the height it stands for. */
function setSpacer(spacer: HTMLLIElement, px: number): void {
  const height = Math.max(0, Math.round(px) - ROW_GAP_PX);
  spacer.hidden = px <= 0;
  const text = `${height}px`;
  if (spacer.style.height !== text) spacer.style.height = text;
}

function gapText(older: boolean, missing: number | null): string {
  const count = missing === null ? 'Some' : String(missing);
  const noun = missing === 1 ? 'message' : 'messages';
  return older ? `${count} older ${noun} not loaded` : `${count} ${noun} could not be loaded here; trying again later`;
}
