// Charts drawn with Observable Plot (vendored from node_modules as a UMD global, no CDN).
import { num, pct, t } from './i18n.js';

const Plot = globalThis.Plot;

function mount(el, chart) {
  el.replaceChildren(chart);
}

/** The size/precision frontier: expected precision with its interval band, and the chosen size. */
export function frontierChart(el, points, chosen) {
  const data = points.map((p) => ({ size: p.size, p: p.expectedPrecision, lo: p.ci[0], hi: p.ci[1] }));
  const marks = [
    Plot.areaY(data, { x: 'size', y1: 'lo', y2: 'hi', fill: '#4e79a7', fillOpacity: 0.2 }),
    Plot.lineY(data, { x: 'size', y: 'p', stroke: '#4e79a7', strokeWidth: 2 }),
    Plot.ruleY([0]),
  ];
  if (chosen) {
    marks.push(Plot.ruleX([chosen.size], { stroke: '#e15759', strokeDasharray: '4,3' }));
    marks.push(Plot.dot([chosen], { x: 'size', y: 'expectedPrecision', fill: '#e15759', r: 5 }));
  }
  mount(
    el,
    Plot.plot({
      width: Math.max(320, el.clientWidth || 640),
      height: 280,
      marginLeft: 48,
      x: { label: t('chart.size'), grid: true, tickFormat: (d) => num(d) },
      y: { label: t('chart.precision'), domain: [0, 1], tickFormat: (d) => `${pct(d)}%`, grid: true },
      marks,
    }),
  );
}

/** Need shares with their 95% intervals, and the index against the universe as a label. */
export function needsChart(el, needs, nameOf) {
  const data = needs.map((n) => ({
    name: nameOf(n),
    share: n.peopleShare,
    lo: n.peopleShareCi?.[0] ?? n.peopleShare,
    hi: n.peopleShareCi?.[1] ?? n.peopleShare,
    index: n.index,
  }));
  mount(
    el,
    Plot.plot({
      width: Math.max(320, el.clientWidth || 640),
      height: 40 + 28 * data.length,
      marginLeft: 240,
      marginRight: 70,
      x: { label: t('chart.share'), domain: [0, 1], tickFormat: (d) => `${pct(d)}%`, grid: true },
      y: { label: null, domain: data.map((d) => d.name) },
      marks: [
        Plot.barX(data, { x: 'share', y: 'name', fill: '#59a14f', fillOpacity: 0.75 }),
        Plot.ruleY(data, { x1: 'lo', x2: 'hi', y: 'name', stroke: '#333', strokeWidth: 1.5 }),
        Plot.text(data, {
          x: 'hi',
          y: 'name',
          dx: 6,
          textAnchor: 'start',
          text: (d) => (d.index === null || d.index === undefined ? '' : `${Math.round(d.index)}`),
        }),
      ],
    }),
  );
}

/** What lifts the audience above the universe: prevalence against the universe's, as an index. */
export function driversChart(el, drivers, nameOf = (f) => f) {
  const data = drivers
    .filter((d) => d.index !== null && d.index !== undefined)
    .map((d) => ({ feature: nameOf(d.feature), index: d.index }));
  mount(
    el,
    Plot.plot({
      width: Math.max(320, el.clientWidth || 640),
      height: 40 + 24 * data.length,
      marginLeft: 240,
      x: { label: t('chart.index'), grid: true },
      y: { label: null, domain: data.map((d) => d.feature) },
      marks: [
        Plot.barX(data, { x: 'index', y: 'feature', fill: '#f28e2b' }),
        Plot.ruleX([100], { stroke: '#333', strokeDasharray: '3,3' }),
      ],
    }),
  );
}
