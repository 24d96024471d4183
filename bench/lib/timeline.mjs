// A timeline chart in SVG, written by hand like lib/svg.mjs: stacked panels sharing one time axis
// (seconds), each with its own y scale and lines, and vertical markers (a node killed).
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceMax(v) {
  if (!(v > 0)) return 1;
  const e = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * e >= v) return m * e;
  return 10 * e;
}

/**
 * panels: [{yLabel, series: [{label, color, points: [[t, y], ...]}], yMax?}];
 * markers: [{t, label}]. Points with y null are gaps.
 */
export function timeline({ title, xLabel = 'seconds', panels, markers = [], width = 960, panelHeight = 200 }) {
  const margin = { top: 44, right: 180, bottom: 44, left: 70 };
  const gap = 28;
  const w = width - margin.left - margin.right;
  const height = margin.top + margin.bottom + panels.length * panelHeight + (panels.length - 1) * gap;
  const all = panels.flatMap((p) => p.series.flatMap((s) => s.points.map(([t]) => t)));
  const tMax = Math.max(1, ...all);
  const x = (t) => margin.left + (t / tMax) * w;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT} font-size="12">`);
  out.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">${esc(title)}</text>`);
  panels.forEach((panel, index) => {
    const top = margin.top + index * (panelHeight + gap);
    const values = panel.series.flatMap((s) => s.points.map(([, y]) => y)).filter((y) => y !== null && Number.isFinite(y));
    const yMax = panel.yMax ?? niceMax(Math.max(0, ...values));
    const y = (v) => top + panelHeight - (Math.min(v, yMax) / yMax) * panelHeight;
    for (let k = 0; k <= 4; k++) {
      const v = (yMax * k) / 4;
      out.push(`<line x1="${margin.left}" x2="${margin.left + w}" y1="${y(v)}" y2="${y(v)}" stroke="#e4e4e4"/>`);
      out.push(`<text x="${margin.left - 6}" y="${y(v) + 4}" text-anchor="end">${Number(v.toPrecision(3))}</text>`);
    }
    out.push(`<text transform="translate(16 ${top + panelHeight / 2}) rotate(-90)" text-anchor="middle">${esc(panel.yLabel)}</text>`);
    out.push(`<rect x="${margin.left}" y="${top}" width="${w}" height="${panelHeight}" fill="none" stroke="#999"/>`);
    for (const marker of markers) {
      out.push(`<line x1="${x(marker.t)}" x2="${x(marker.t)}" y1="${top}" y2="${top + panelHeight}" stroke="#000" stroke-dasharray="4 3"/>`);
      if (index === 0) out.push(`<text x="${x(marker.t) + 4}" y="${top + 12}">${esc(marker.label)}</text>`);
    }
    panel.series.forEach((series, k) => {
      let d = '';
      let pen = false;
      for (const [t, v] of series.points) {
        if (v === null || !Number.isFinite(v)) { pen = false; continue; }
        d += `${pen ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`;
        pen = true;
      }
      out.push(`<path d="${d}" fill="none" stroke="${series.color}" stroke-width="1.6"/>`);
      const ly = top + 14 + k * 16;
      out.push(`<line x1="${margin.left + w + 12}" x2="${margin.left + w + 30}" y1="${ly - 4}" y2="${ly - 4}" stroke="${series.color}" stroke-width="2"/>`);
      out.push(`<text x="${margin.left + w + 34}" y="${ly}">${esc(series.label)}</text>`);
    });
  });
  const bottom = height - margin.bottom;
  for (let k = 0; k <= 10; k++) {
    const t = (tMax * k) / 10;
    out.push(`<text x="${x(t)}" y="${bottom + 16}" text-anchor="middle">${Math.round(t)}</text>`);
  }
  out.push(`<text x="${margin.left + w / 2}" y="${bottom + 34}" text-anchor="middle">${esc(xLabel)}</text>`);
  out.push('</svg>');
  return out.join('\n');
}
