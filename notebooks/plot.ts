/**
 * Small SVG charts for the notebooks: no plotting dependency, rendered inline by tslab's
 * `display.html`, readable in any notebook viewer.
 */

export interface Series {
  name: string;
  x: number[];
  y: number[];
  /** Optional band around y (e.g. a confidence interval). */
  low?: number[];
  high?: number[];
  color?: string;
  /** Draw a dot at every point (default: when a series has at most 30 points). */
  points?: boolean;
  /** Dashed line. */
  dashed?: boolean;
}

/** A vertical or horizontal reference line with a label (a chosen k, a target size, index 100). */
export interface Marker {
  x?: number;
  y?: number;
  label: string;
  color?: string;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];
const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** Rounds SVG coordinates so the markup stays small and stable. */
const r1 = (v: number) => Math.round(v * 10) / 10;

/** Approximate rendered width of a label: CJK characters are about one em, Latin about 0.6 em. */
export function textWidth(s: string, fontSize = 11): number {
  let w = 0;
  for (const ch of s) w += /[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? fontSize : fontSize * 0.6;
  return w;
}

/** Shortens a label to at most `max` pixels, ending in an ellipsis. */
export function clip(s: string, maxPx: number, fontSize = 11): string {
  if (textWidth(s, fontSize) <= maxPx) return s;
  let out = '';
  for (const ch of s) {
    if (textWidth(out + ch + '…', fontSize) > maxPx) break;
    out += ch;
  }
  return out + '…';
}

function ticks(min: number, max: number, count = 5): number[] {
  const span = max - min || 1;
  const step = 10 ** Math.floor(Math.log10(span / count));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => span / s <= count) ?? step * 10;
  const out: number[] = [];
  for (let v = Math.ceil(min / nice) * nice; v <= max + 1e-12; v += nice) out.push(Number(v.toPrecision(12)));
  return out;
}

/** Ticks on a log10 axis (given in log10 units): 1, 2, 5 x each decade when they fit, else decades. */
function logTicks(l0: number, l1: number): number[] {
  const out: number[] = [];
  const mult = l1 - l0 > 3 ? [1] : [1, 2, 5];
  for (let d = Math.floor(l0); d <= Math.ceil(l1); d++) {
    for (const m of mult) {
      const t = d + Math.log10(m);
      if (t >= l0 - 1e-9 && t <= l1 + 1e-9) out.push(t);
    }
  }
  return out;
}

const fmt = (v: number) =>
  Math.abs(v) >= 1000
    ? v.toLocaleString('en-US', { maximumFractionDigits: 0 })
    : String(Number(v.toPrecision(3)));

const svg = (W: number, H: number, body: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${r1(W)}" height="${r1(H)}" viewBox="0 0 ${r1(W)} ${r1(H)}" font-family="sans-serif">${body}</svg>`;

const finite = (v: number | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/** A line chart with optional shaded bands, dots, reference markers, axis labels and a legend. */
export function lineChart(
  series: Series[],
  opts: {
    title: string;
    xLabel: string;
    yLabel: string;
    width?: number;
    height?: number;
    logX?: boolean;
    /** Y range; default [min(0, data), max(data)]. */
    yDomain?: [number, number];
    markers?: Marker[];
    /** Legend corner (default top-right). */
    legend?: 'top-right' | 'bottom-right' | 'top-left' | 'bottom-left';
    /** Format of y tick labels, e.g. percentages. */
    yFormat?: (v: number) => string;
  },
): string {
  const W = opts.width ?? 640;
  const H = opts.height ?? 360;
  const m = { l: 64, r: 16, t: 32, b: 48 };
  const tx = (v: number) => (opts.logX ? Math.log10(Math.max(v, 1e-12)) : v);
  const xs = series.flatMap((s) => s.x.map(tx)).filter(finite);
  const ys = series.flatMap((s) => [...s.y, ...(s.low ?? []), ...(s.high ?? [])]).filter(finite);
  if (xs.length === 0 || ys.length === 0) return svg(W, 40, `<text x="8" y="24" font-size="12">${esc(opts.title)}: no data</text>`);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = opts.yDomain ?? [Math.min(0, ...ys), Math.max(...ys)];
  const px = (v: number) => r1(m.l + ((tx(v) - x0) / (x1 - x0 || 1)) * (W - m.l - m.r));
  const py = (v: number) => r1(H - m.b - ((Math.min(Math.max(v, y0), y1) - y0) / (y1 - y0 || 1)) * (H - m.t - m.b));
  const yf = opts.yFormat ?? fmt;
  const parts: string[] = [];
  for (const t of ticks(y0, y1)) {
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${py(t)}" y2="${py(t)}" stroke="#eee"/>`);
    parts.push(`<text x="${m.l - 6}" y="${py(t) + 4}" text-anchor="end" font-size="11">${esc(yf(t))}</text>`);
  }
  for (const t of opts.logX ? logTicks(x0, x1) : ticks(x0, x1)) {
    const label = opts.logX ? fmt(Math.round(10 ** t)) : fmt(t);
    const x = r1(m.l + ((t - x0) / (x1 - x0 || 1)) * (W - m.l - m.r));
    parts.push(`<line x1="${x}" x2="${x}" y1="${H - m.b}" y2="${H - m.b + 4}" stroke="#333"/>`);
    parts.push(`<text x="${x}" y="${H - m.b + 16}" text-anchor="middle" font-size="11">${label}</text>`);
  }
  series.forEach((s, i) => {
    const color = s.color ?? COLORS[i % COLORS.length];
    const idx = s.x.map((_, j) => j).filter((j) => finite(tx(s.x[j]!)) && finite(s.y[j]));
    if (s.low && s.high) {
      const band = idx.filter((j) => finite(s.low![j]) && finite(s.high![j]));
      const up = band.map((j) => `${px(s.x[j]!)},${py(s.high![j]!)}`);
      const down = band.map((j) => `${px(s.x[j]!)},${py(s.low![j]!)}`).reverse();
      parts.push(`<polygon points="${[...up, ...down].join(' ')}" fill="${color}" fill-opacity="0.15" stroke="none"/>`);
    }
    const dash = s.dashed ? ' stroke-dasharray="6 4"' : '';
    parts.push(
      `<polyline points="${idx.map((j) => `${px(s.x[j]!)},${py(s.y[j]!)}`).join(' ')}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`,
    );
    if (s.points ?? idx.length <= 30) {
      for (const j of idx) parts.push(`<circle cx="${px(s.x[j]!)}" cy="${py(s.y[j]!)}" r="3" fill="${color}"/>`);
    }
  });
  for (const mk of opts.markers ?? []) {
    const color = mk.color ?? '#555';
    if (finite(mk.x)) {
      const x = px(mk.x);
      parts.push(`<line x1="${x}" x2="${x}" y1="${m.t}" y2="${H - m.b}" stroke="${color}" stroke-dasharray="4 3"/>`);
      parts.push(`<text x="${x + 4}" y="${m.t + 10}" font-size="11" fill="${color}">${esc(mk.label)}</text>`);
    }
    if (finite(mk.y)) {
      const y = py(mk.y);
      parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y}" y2="${y}" stroke="${color}" stroke-dasharray="4 3"/>`);
      parts.push(`<text x="${m.l + 4}" y="${y - 4}" font-size="11" fill="${color}">${esc(mk.label)}</text>`);
    }
  }
  const legendW = Math.max(...series.map((s) => textWidth(s.name))) + 24;
  const corner = opts.legend ?? 'top-right';
  const lx = corner.endsWith('right') ? W - m.r - legendW : m.l + 8;
  const ly = corner.startsWith('top') ? m.t + 4 : H - m.b - 8 - series.length * 16;
  parts.push(`<rect x="${r1(lx - 4)}" y="${ly - 2}" width="${r1(legendW)}" height="${series.length * 16 + 2}" fill="#fff" fill-opacity="0.8"/>`);
  series.forEach((s, i) => {
    const color = s.color ?? COLORS[i % COLORS.length];
    parts.push(
      `<rect x="${r1(lx)}" y="${ly + i * 16}" width="10" height="10" fill="${color}"/><text x="${r1(lx + 15)}" y="${ly + 9 + i * 16}" font-size="11">${esc(s.name)}</text>`,
    );
  });
  parts.push(`<text x="${W / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${esc(opts.title)}</text>`);
  parts.push(`<text x="${W / 2}" y="${H - 10}" text-anchor="middle" font-size="12">${esc(opts.xLabel)}</text>`);
  parts.push(
    `<text transform="translate(16 ${H / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(opts.yLabel)}</text>`,
  );
  parts.push(
    `<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="#333"/><line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#333"/>`,
  );
  return svg(W, H, parts.join(''));
}

/**
 * Horizontal bars, e.g. segment sizes or per-need F1. `values` may be one series or several
 * (grouped bars, one colour per series, named in `seriesNames`).
 */
export function barChart(
  labels: string[],
  values: number[] | number[][],
  opts: { title: string; width?: number; unit?: string; seriesNames?: string[]; labelWidth?: number; max?: number },
): string {
  const groups: number[][] = Array.isArray(values[0]) ? (values as number[][]) : [values as number[]];
  const W = opts.width ?? 640;
  const row = 16;
  const gap = groups.length > 1 ? 8 : 5;
  const band = groups.length * row + gap;
  const labelW = opts.labelWidth ?? Math.min(260, Math.max(60, ...labels.map((l) => textWidth(l, 12))) + 8);
  const legendH = groups.length > 1 ? 18 : 0;
  const top = 30 + legendH;
  const H = top + labels.length * band + 10;
  const max = opts.max ?? Math.max(...groups.flat().filter(finite), 1e-12);
  const x0 = labelW + 6;
  const span = W - x0 - 60;
  const parts: string[] = [];
  labels.forEach((label, i) => {
    const y = top + i * band;
    parts.push(
      `<text x="${labelW}" y="${y + (groups.length * row) / 2 + 4}" text-anchor="end" font-size="12">${esc(clip(label, labelW, 12))}</text>`,
    );
    groups.forEach((g, k) => {
      const v = g[i] ?? 0;
      const w = r1(Math.max(0, (v / max) * span));
      const yy = y + k * row;
      parts.push(`<rect x="${x0}" y="${yy}" width="${w}" height="${row - 2}" fill="${COLORS[k % COLORS.length]}"/>`);
      parts.push(`<text x="${r1(x0 + w + 4)}" y="${yy + 11}" font-size="11">${fmt(v)}${esc(opts.unit ?? '')}</text>`);
    });
  });
  (opts.seriesNames ?? []).forEach((n, k) => {
    const x = x0 + k * 160;
    parts.push(`<rect x="${x}" y="28" width="10" height="10" fill="${COLORS[k % COLORS.length]}"/><text x="${x + 14}" y="37" font-size="11">${esc(n)}</text>`);
  });
  parts.push(`<line x1="${x0}" x2="${x0}" y1="${top - 2}" y2="${H - 8}" stroke="#333"/>`);
  return svg(
    W,
    H,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${esc(opts.title)}</text>${parts.join('')}`,
  );
}

/**
 * Point estimates with interval whiskers on a horizontal axis and an optional reference line:
 * affinity indices (100 = average) with their confidence intervals.
 */
export function intervalChart(
  rows: { label: string; value: number; low: number; high: number }[],
  opts: { title: string; xLabel: string; reference?: number; width?: number; labelWidth?: number },
): string {
  const W = opts.width ?? 640;
  const row = 20;
  const labelW = opts.labelWidth ?? Math.min(280, Math.max(60, ...rows.map((r) => textWidth(r.label, 12))) + 8);
  const top = 30;
  const H = top + rows.length * row + 40;
  const vals = rows.flatMap((r) => [r.value, r.low, r.high]).filter(finite);
  if (opts.reference !== undefined) vals.push(opts.reference);
  const lo = Math.min(0, ...vals);
  const hi = Math.max(...vals, 1e-12);
  const x0 = labelW + 10;
  const span = W - x0 - 20;
  const px = (v: number) => r1(x0 + ((v - lo) / (hi - lo || 1)) * span);
  const parts: string[] = [];
  for (const t of ticks(lo, hi)) {
    parts.push(`<line x1="${px(t)}" x2="${px(t)}" y1="${top - 4}" y2="${H - 36}" stroke="#eee"/>`);
    parts.push(`<text x="${px(t)}" y="${H - 22}" text-anchor="middle" font-size="11">${fmt(t)}</text>`);
  }
  if (opts.reference !== undefined) {
    parts.push(`<line x1="${px(opts.reference)}" x2="${px(opts.reference)}" y1="${top - 4}" y2="${H - 36}" stroke="#d62728" stroke-dasharray="4 3"/>`);
  }
  rows.forEach((r, i) => {
    const y = top + i * row + row / 2;
    parts.push(`<text x="${labelW}" y="${y + 4}" text-anchor="end" font-size="12">${esc(clip(r.label, labelW, 12))}</text>`);
    if (finite(r.low) && finite(r.high)) {
      parts.push(`<line x1="${px(r.low)}" x2="${px(r.high)}" y1="${y}" y2="${y}" stroke="${COLORS[0]}" stroke-width="2"/>`);
    }
    if (finite(r.value)) parts.push(`<circle cx="${px(r.value)}" cy="${y}" r="4" fill="${COLORS[0]}"/>`);
  });
  parts.push(`<text x="${x0 + span / 2}" y="${H - 6}" text-anchor="middle" font-size="12">${esc(opts.xLabel)}</text>`);
  return svg(
    W,
    H,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${esc(opts.title)}</text>${parts.join('')}`,
  );
}

/**
 * A heat map with numbers in the cells: confusion matrices, frequency x breadth grids.
 * `format` prints the cell values (default 3 significant digits); `rowLabel`/`colLabel` name the axes.
 */
export function heatmap(
  rows: string[],
  cols: string[],
  values: number[][],
  opts: { title: string; cell?: number; format?: (v: number) => string; rowLabel?: string; colLabel?: string; max?: number },
): string {
  const c = opts.cell ?? 44;
  const left = Math.min(260, Math.max(60, ...rows.map((r) => textWidth(r))) + 12) + (opts.rowLabel ? 18 : 0);
  const top = Math.min(200, Math.max(40, ...cols.map((l) => textWidth(l) * 0.72)) + 36) + (opts.colLabel ? 16 : 0);
  const max = opts.max ?? Math.max(...values.flat().filter(finite), 1e-12);
  const f = opts.format ?? fmt;
  const cells: string[] = [];
  rows.forEach((r, i) => {
    cells.push(`<text x="${left - 6}" y="${top + i * c + c / 2 + 4}" text-anchor="end" font-size="11">${esc(r)}</text>`);
    cols.forEach((_, j) => {
      const v = values[i]?.[j];
      const t = finite(v) ? Math.max(0, Math.min(1, v / max)) : 0;
      const shade = Math.round(255 - t * 200);
      const fill = finite(v) ? `rgb(${shade},${shade},255)` : '#f4f4f4';
      cells.push(`<rect x="${left + j * c}" y="${top + i * c}" width="${c - 1}" height="${c - 1}" fill="${fill}"/>`);
      const ink = t > 0.6 ? '#fff' : '#000';
      cells.push(
        `<text x="${left + j * c + c / 2}" y="${top + i * c + c / 2 + 4}" text-anchor="middle" font-size="11" fill="${ink}">${finite(v) ? esc(f(v)) : ''}</text>`,
      );
    });
  });
  cols.forEach((col, j) => {
    cells.push(`<text transform="translate(${left + j * c + c / 2} ${top - 6}) rotate(-45)" font-size="11">${esc(col)}</text>`);
  });
  const W = left + cols.length * c + 40;
  const H = top + rows.length * c + 20;
  if (opts.rowLabel) {
    cells.push(`<text transform="translate(14 ${top + (rows.length * c) / 2}) rotate(-90)" text-anchor="middle" font-size="12" font-weight="bold">${esc(opts.rowLabel)}</text>`);
  }
  if (opts.colLabel) {
    cells.push(`<text x="${left + (cols.length * c) / 2}" y="40" text-anchor="middle" font-size="12" font-weight="bold">${esc(opts.colLabel)}</text>`);
  }
  return svg(
    W,
    H,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${esc(opts.title)}</text>${cells.join('')}`,
  );
}
