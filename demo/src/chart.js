// The latency chart: one dot per message (server timestamp -> on screen) over the last minute (less
// while the page is younger than that), shaded where Sockudo was down, a
// line through each client's per-second median, on a log scale from 1 ms to 30 s (push is
// milliseconds, polling seconds: one linear axis could not show both). Plain SVG, no library.
const SVG = 'http://www.w3.org/2000/svg';
const WINDOW_MS = 60_000;
const MIN_WINDOW_MS = 20_000;
const MIN_MS = 1;
const MAX_MS = 30_000;
const TICKS = [1, 10, 100, 1000, 10_000];

function el(name, attributes = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

export function formatMs(ms) {
  if (!Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

/**
 * `series`: [{name, samples: [{at, ms}]}] (samples in arrival order); colours come from CSS
 * (`.series-<name>`). `bands`: [{from, to (null: still), label}] shaded spans. `since`: when the
 * page started (the window is at most the time since then, at least 20 s).
 */
export function drawChart(svg, series, { bands = [], since = 0, now = Date.now() } = {}) {
  const windowMs = Math.min(WINDOW_MS, Math.max(MIN_WINDOW_MS, Math.ceil((now - since) / 10_000) * 10_000));
  const width = Math.max(200, svg.clientWidth || 800);
  const height = Math.max(120, svg.clientHeight || 200);
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  const left = 52;
  const right = width - 10;
  const top = 10;
  const bottom = height - 24;
  const x = (at) => left + ((at - (now - windowMs)) / windowMs) * (right - left);
  const y = (ms) => {
    const clamped = Math.min(MAX_MS, Math.max(MIN_MS, ms));
    const t = (Math.log10(clamped) - Math.log10(MIN_MS)) / (Math.log10(MAX_MS) - Math.log10(MIN_MS));
    return bottom - t * (bottom - top);
  };

  const nodes = [];
  for (const band of bands) {
    const from = Math.max(x(band.from), left);
    const to = Math.min(x(band.to ?? now), right);
    if (to <= from) continue;
    nodes.push(el('rect', { class: 'band', x: from, y: top, width: to - from, height: bottom - top }));
    if (to - from > 70) nodes.push(el('text', { class: 'band-label', x: from + 6, y: top + 13 }, band.label));
  }
  for (const tick of TICKS) {
    nodes.push(el('line', { class: 'grid', x1: left, x2: right, y1: y(tick), y2: y(tick) }));
    nodes.push(el('text', { class: 'axis', x: left - 8, y: y(tick) + 4, 'text-anchor': 'end' }, formatMs(tick).replace(' ', '')));
  }
  const step = windowMs > 30_000 ? 10 : 5;
  for (let s = 0; s <= windowMs / 1000; s += step) {
    const at = now - s * 1000;
    nodes.push(el('line', { class: 'grid faint', x1: x(at), x2: x(at), y1: top, y2: bottom }));
    nodes.push(el('text', { class: 'axis', x: x(at), y: height - 6, 'text-anchor': 'middle' }, s === 0 ? 'now' : `−${s}s`));
  }
  nodes.push(el('line', { class: 'frame', x1: left, x2: right, y1: bottom, y2: bottom }));

  for (const { name, samples } of series) {
    const visible = samples.filter((sample) => sample.at >= now - windowMs);
    // Per-second medians, as a line.
    const buckets = new Map();
    for (const sample of visible) {
      const second = Math.floor(sample.at / 1000);
      if (!buckets.has(second)) buckets.set(second, []);
      buckets.get(second).push(sample.ms);
    }
    const points = [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([second, values]) => {
      values.sort((a, b) => a - b);
      return `${x(second * 1000 + 500).toFixed(1)},${y(values[Math.floor(values.length / 2)]).toFixed(1)}`;
    });
    if (points.length > 1) nodes.push(el('polyline', { class: `median series-${name}`, points: points.join(' ') }));
    // The dots; a burst draws a hundred, so at most the newest 600 per client.
    for (const sample of visible.slice(-600)) {
      nodes.push(el('circle', { class: `dot series-${name}`, cx: x(sample.at).toFixed(1), cy: y(sample.ms).toFixed(1), r: 2.6 }));
    }
  }
  svg.replaceChildren(...nodes);
}
