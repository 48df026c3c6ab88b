/**
 * The picture of one halving run: every model's curve (what it revealed solid, the rest faint),
 * coloured while it survived and grey from the round it was pruned, with the frontier law fitted
 * on what was observed against the one fitted on the complete curves.
 */
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg } from './plots.js';
import { revealed, type Curve } from '../halving/curves.js';
import { frontierLoss } from '../halving/frontier.js';
import type { HalvingRecord } from '../halving/unit.js';

interface Row {
  model: string;
  compute: number;
  loss: number;
  layer: string;
}

export function halvingSpec(title: string, curves: readonly Curve[], record: HalvingRecord): TopLevelSpec {
  const lastRound = Math.max(...record.stoppedAt);
  const rows: Row[] = [];
  curves.forEach((curve, i) => {
    const n = revealed(curve, record.spent[i]);
    const kept = record.stoppedAt[i] === lastRound;
    const status = kept ? `${curve.model} (kept)` : 'pruned';
    for (let k = 0; k < curve.compute.length; k++) {
      rows.push({ model: curve.model, compute: curve.compute[k], loss: curve.loss[k], layer: k < n ? status : 'not trained' });
    }
  });
  const lo = Math.min(...curves.map((c) => c.compute[0]));
  const hi = Math.max(...curves.map((c) => c.compute[c.compute.length - 1]));
  const laws: Row[] = [];
  for (let k = 0; k <= 60; k++) {
    const c = lo * (hi / lo) ** (k / 60);
    if (record.frontier)
      laws.push({ model: 'frontier (observed)', compute: c, loss: frontierLoss(record.frontier, c), layer: 'frontier fitted on what was observed' });
    if (record.truthFrontier)
      laws.push({ model: 'frontier (complete)', compute: c, loss: frontierLoss(record.truthFrontier, c), layer: 'frontier fitted on the complete curves' });
  }
  const keptLabels = [...new Set(rows.filter((r) => r.layer !== 'not trained' && r.layer !== 'pruned').map((r) => r.layer))];
  const palette = ['#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b'];
  const x = { field: 'compute', type: 'quantitative', scale: { type: 'log' }, title: 'compute' } as const;
  const y = { field: 'loss', type: 'quantitative', scale: { zero: false }, title: 'loss' } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 560,
    height: 340,
    background: 'white',
    layer: [
      {
        data: { values: rows.filter((r) => r.layer === 'not trained') },
        mark: { type: 'line', strokeWidth: 1, opacity: 0.25, color: '#999' },
        encoding: { x, y, detail: { field: 'model' } },
      },
      {
        data: { values: rows.filter((r) => r.layer !== 'not trained') },
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          x,
          y,
          detail: { field: 'model' },
          color: {
            field: 'layer',
            type: 'nominal',
            title: 'trained',
            // pruned curves grey, so the eye follows the survivors
            scale: { domain: [...keptLabels, 'pruned'], range: [...keptLabels.map((_, k) => palette[k % palette.length]), '#b0b0b0'] },
            legend: { labelLimit: 320, titleLimit: 320 },
          },
        },
      },
      {
        data: { values: laws },
        mark: { type: 'line', strokeDash: [6, 3], strokeWidth: 2 },
        encoding: {
          x,
          y,
          stroke: {
            field: 'layer',
            type: 'nominal',
            title: 'frontier L(C) = (C/α)^(−γ)',
            scale: { domain: ['frontier fitted on what was observed', 'frontier fitted on the complete curves'], range: ['#d62728', '#222222'] },
            legend: { labelLimit: 320, titleLimit: 320 },
          },
        },
      },
    ],
    resolve: { scale: { color: 'independent', stroke: 'independent' } },
  } as TopLevelSpec;
}

export function halvingSvg(title: string, curves: readonly Curve[], record: HalvingRecord): Promise<string> {
  return renderSvg(halvingSpec(title, curves, record));
}
