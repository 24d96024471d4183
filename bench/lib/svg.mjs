// Two small SVG charts, written by hand (no plotting library): grouped bars on a log scale, and
// lines (for latency CDFs).
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';
export const PALETTE = ['#d62728', '#ff7f0e', '#1f77b4', '#17becf', '#9467bd', '#2ca02c', '#8c564b'];

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toPrecision(2));

/**
 * groups: [{label, values: {series: number|null}}]; series: [{key, label, color}].
 * Log-scale y (values > 0).
 */
export function groupedBarsLog({ title, yLabel, groups, series, width = 960, height = 440 }) {
  const margin = { top: 48, right: 16, bottom: 86, left: 70 };
  const w = width - margin.left - margin.right;
  const h = height - margin.top - margin.bottom;
  const values = groups.flatMap((g) => series.map((s) => g.values[s.key])).filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.min(...values)));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(...values)));
  const y = (v) => margin.top + h - ((Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * h;
  const groupW = w / groups.length;
  const barW = Math.min(18, (groupW * 0.85) / series.length);
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">${esc(title)}</text>`);
  for (let e = Math.log10(lo); e <= Math.log10(hi); e++) {
    const v = 10 ** e;
    out.push(`<line x1="${margin.left}" x2="${margin.left + w}" y1="${y(v)}" y2="${y(v)}" stroke="#ddd"/>`);
    out.push(`<text x="${margin.left - 6}" y="${y(v) + 4}" text-anchor="end">${fmt(v)}</text>`);
  }
  out.push(`<text transform="translate(16 ${margin.top + h / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  groups.forEach((g, gi) => {
    const x0 = margin.left + gi * groupW + (groupW - barW * series.length) / 2;
    series.forEach((s, si) => {
      const v = g.values[s.key];
      if (!(v > 0)) return;
      const x = x0 + si * barW;
      out.push(`<rect x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${(barW - 1).toFixed(1)}" height="${(margin.top + h - y(v)).toFixed(1)}" fill="${s.color}"><title>${esc(`${s.label}, ${g.label}: ${fmt(v)}`)}</title></rect>`);
    });
    out.push(`<text x="${margin.left + gi * groupW + groupW / 2}" y="${margin.top + h + 16}" text-anchor="middle">${esc(g.label)}</text>`);
  });
  out.push(`<line x1="${margin.left}" x2="${margin.left + w}" y1="${margin.top + h}" y2="${margin.top + h}" stroke="#333"/>`);
  legend(out, series, margin.left, height - 40, w);
  out.push('</svg>');
  return out.join('\n');
}

/** lines: [{label, color, points: [[x, y], ...]}]; linear axes. */
export function lines({ title, xLabel, yLabel, lines: data, width = 960, height = 420, xMax, yTicks = [0, 25, 50, 75, 90, 99, 100] }) {
  const margin = { top: 48, right: 24, bottom: 70, left: 70 };
  const w = width - margin.left - margin.right;
  const h = height - margin.top - margin.bottom;
  const maxX = xMax ?? Math.max(...data.flatMap((l) => l.points.map((p) => p[0])));
  const maxY = 100;
  const x = (v) => margin.left + (Math.min(v, maxX) / maxX) * w;
  const y = (v) => margin.top + h - (v / maxY) * h;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">${esc(title)}</text>`);
  for (const t of yTicks) {
    out.push(`<line x1="${margin.left}" x2="${margin.left + w}" y1="${y(t)}" y2="${y(t)}" stroke="#ddd"/>`);
    out.push(`<text x="${margin.left - 6}" y="${y(t) + 4}" text-anchor="end">${t}</text>`);
  }
  const step = niceStep(maxX / 8);
  for (let v = 0; v <= maxX + 1e-9; v += step) {
    out.push(`<line x1="${x(v)}" x2="${x(v)}" y1="${margin.top}" y2="${margin.top + h}" stroke="#eee"/>`);
    out.push(`<text x="${x(v)}" y="${margin.top + h + 16}" text-anchor="middle">${fmt(v)}</text>`);
  }
  out.push(`<text x="${margin.left + w / 2}" y="${margin.top + h + 34}" text-anchor="middle">${esc(xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${margin.top + h / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  for (const l of data) {
    const d = l.points.map((p, i) => `${i ? 'L' : 'M'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${l.color}" stroke-width="2"${l.dash ? ' stroke-dasharray="6 4"' : ''}/>`);
  }
  out.push(`<rect x="${margin.left}" y="${margin.top}" width="${w}" height="${h}" fill="none" stroke="#333"/>`);
  legend(out, data.map((l) => ({ label: l.label, color: l.color })), margin.left, height - 18, w);
  out.push('</svg>');
  return out.join('\n');
}

function legend(out, items, x0, y0, w) {
  const perRow = Math.min(items.length, 4);
  const colW = w / perRow;
  items.forEach((s, i) => {
    const x = x0 + (i % perRow) * colW;
    const y = y0 + Math.floor(i / perRow) * 16;
    out.push(`<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${s.color}"/>`);
    out.push(`<text x="${x + 16}" y="${y}">${esc(s.label)}</text>`);
  });
}

function niceStep(raw) {
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (raw <= m * p) return m * p;
  return 10 * p;
}
