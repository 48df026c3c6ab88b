/**
 * The page's figures for one group, as SVG rendered here (vega-lite → vega → SVG, the report's
 * renderer): nothing is fetched, and the page only places them. Each is a pure function of the
 * group's view.
 */
import type { TopLevelSpec } from 'vega-lite';
import { inlineSvg } from '../report/html.js';
import { renderSvg } from '../report/plots.js';
import { figure } from '../text/figure.js';
import type { GroupView, InputCurves } from './engine.js';

export interface GroupFigures {
  inputs: { feature: string; svg: string }[];
  forecast: string | null;
  history: string | null;
}

const FONT = 'Helvetica, Arial, sans-serif';
const CONFIG = {
  font: FONT,
  view: { stroke: '#d0d0d0' },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#ececec', domainColor: '#888', tickColor: '#888' },
  legend: { labelFontSize: 11, titleFontSize: 11 },
  title: { fontSize: 13, subtitleFontSize: 11, subtitleColor: '#555', anchor: 'start', offset: 8 },
} as const;
const WIDTH = 260;
const HEIGHT = 200;
const OTHER = 'other runs';

export function inputSpec(input: InputCurves, target: string): TopLevelSpec {
  const series = [...input.curves.map((c) => c.label), ...(input.points.some((p) => p.series === OTHER) ? [OTHER] : [])];
  const colours = ['#4c78a8', '#f58518', '#54a24b', '#b279a2', '#e45756'];
  const color = {
    field: 'series',
    type: 'nominal' as const,
    title: null,
    sort: series,
    scale: { domain: series, range: series.map((s, i) => (s === OTHER ? '#aaaaaa' : colours[i % colours.length])) },
  };
  const x = {
    field: 'x',
    type: 'quantitative' as const,
    title: input.feature,
    scale: { type: input.logX ? ('log' as const) : ('linear' as const) },
    axis: { format: input.logX ? '~s' : '~g' },
  };
  const y = { field: 'y', type: 'quantitative' as const, title: target, scale: { zero: false } };
  const lines = input.curves.flatMap((c) => c.x.map((v, i) => ({ x: v, y: c.y[i], series: c.label })));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG,
    width: WIDTH,
    height: HEIGHT,
    title: { text: `${target} against ${input.feature}`, subtitle: 'points: runs · lines: the fitted law' },
    layer: [
      { data: { values: lines }, mark: { type: 'line', strokeWidth: 1.6, clip: true }, encoding: { x, y, color, detail: { field: 'series' } } },
      {
        data: { values: input.points.map((p) => ({ ...p, label: `${input.feature} ${figure(p.x)}: ${figure(p.y)}` })) },
        mark: { type: 'point', filled: true, size: 36, opacity: 0.9 },
        encoding: { x, y, color, description: { field: 'label' } },
      },
    ],
  } as TopLevelSpec;
}

export function forecastSpec(view: GroupView): TopLevelSpec | null {
  if (!view.forecast) return null;
  const rows = view.forecast.predictions.map((p, i) => ({
    at: `${i + 1}: ${Object.entries(p.features)
      .map(([f, v]) => `${f}=${figure(v)}`)
      .join(', ')}`,
    mean: p.mean,
    lo: p.lo90,
    hi: p.hi90,
  }));
  const x = { field: 'at', type: 'nominal' as const, title: 'target row', sort: rows.map((r) => r.at), axis: { labelAngle: -35, labelLimit: 160 } };
  // the domain from the band's ends: vega-lite would size it from the means and lower ends only
  const lo = Math.min(...rows.map((r) => r.lo).filter(Number.isFinite));
  const hi = Math.max(...rows.map((r) => r.hi).filter(Number.isFinite));
  const pad = (hi - lo) * 0.05 || Math.abs(hi) * 0.05 || 1;
  const y = { type: 'quantitative' as const, title: `${view.forecast.target} (90% band)`, scale: { zero: false, domain: [lo - pad, hi + pad], nice: true } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG,
    width: Math.max(WIDTH, 28 * rows.length),
    height: HEIGHT,
    title: { text: 'Target-region forecast', subtitle: `mean and 90% band; uncertainty ${figure(view.forecast.uncertainty)}` },
    data: { values: rows },
    layer: [
      { mark: { type: 'rule', strokeWidth: 3, color: '#9ecae9' }, encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' } } },
      { mark: { type: 'point', filled: true, size: 40, color: '#1f5d99' }, encoding: { x, y: { ...y, field: 'mean' } } },
    ],
  } as TopLevelSpec;
}

export function historySpec(view: GroupView, stopBelow: number | undefined): TopLevelSpec | null {
  const rows = view.history.filter((h) => Number.isFinite(h.uncertainty) && h.uncertainty > 0);
  if (rows.length === 0) return null;
  const x = { field: 'runs', type: 'quantitative' as const, title: 'runs observed', axis: { tickMinStep: 1, format: 'd' } };
  const y = { field: 'uncertainty', type: 'quantitative' as const, title: 'relative 90% half-width', scale: { type: 'log' as const } };
  const layer: unknown[] = [
    { mark: { type: 'line', strokeWidth: 1.6, color: '#7b2d9e' }, encoding: { x, y } },
    { mark: { type: 'point', filled: true, size: 30, color: '#7b2d9e' }, encoding: { x, y } },
  ];
  if (stopBelow !== undefined) {
    layer.push({ mark: { type: 'rule', strokeDash: [4, 3], color: '#888' }, encoding: { y: { datum: stopBelow, type: 'quantitative' } } });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG,
    width: WIDTH,
    height: HEIGHT,
    title: { text: 'How the band narrowed', subtitle: `after the first k runs${stopBelow !== undefined ? `; dashed: stop at ${stopBelow}` : ''}` },
    data: { values: rows },
    layer,
  } as TopLevelSpec;
}

/** Every figure of a group; ids inside each SVG get a prefix so that figures on one page stay apart. */
export async function groupFigures(view: GroupView, index: number, stopBelow: number | undefined): Promise<GroupFigures> {
  const target = view.forecast?.target ?? 'target';
  const render = async (spec: TopLevelSpec | null, id: string) => (spec ? inlineSvg(await renderSvg(spec), `g${index}-${id}`) : null);
  const inputs: GroupFigures['inputs'] = [];
  for (const [k, input] of view.inputs.entries()) inputs.push({ feature: input.feature, svg: (await render(inputSpec(input, target), `in${k}`))! });
  return { inputs, forecast: await render(forecastSpec(view), 'fc'), history: await render(historySpec(view, stopBelow), 'hist') };
}
