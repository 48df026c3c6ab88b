/**
 * `<out>/report/`: one self-contained HTML page (inline CSS and SVG, nothing fetched, so it can be
 * mailed or archived as one file), each figure as its own SVG, and the table as Markdown and CSV.
 * Everything is rendered in memory first and then committed file by file through temporary names,
 * so a failure leaves the previous report as it was.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { LocateOptions } from '../data/locate.js';
import { findRunDirs, mergeRuns } from './collect.js';
import { readPaperTable } from './paper.js';
import { methodColour, orderMethods, taskPlots, type MissingPlot, type Plot } from './plots.js';
import { findHalvingRuns, halvingFigures, halvingTable } from './halving.js';
import { findStressSummaries, stressFigures, type StressFigure } from './stress.js';
import { buildTable, renderCsv, renderMarkdown, type TableCell, type TableRow } from './table.js';
import { stressTables, type StressTable } from '../stress/summary.js';

export interface ReportFiles {
  /** Paths of the written files. */
  html: string;
  svgs: string[];
  /** Null when there are no benchmark runs (a folder of halving or stress results only). */
  tableMd: string | null;
  tableCsv: string | null;
  /** Figures that could not be drawn, and why (the page says so too). */
  missing: MissingPlot[];
}

export interface ReportOptions {
  /** Where the tasks' data is, for the cost figures (as `run --data-dir`). */
  dataDir?: string;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const num = (v: number) => v.toFixed(2);
/** Below this a difference shows as 0.00, so it is neither above nor below the paper. */
const NO_DIFF = 0.005;
const signed = (v: number) => (Math.abs(v) < NO_DIFF ? '±0.00' : `${v > 0 ? '+' : '−'}${Math.abs(v).toFixed(2)}`);
const pct = (b: number) => `${+(b * 100).toFixed(2)}%`;

/** A difference of this size (in R²) or more gets the strongest colour. */
const FULL_DIFF = 0.5;

export function diffColour(diff: number | null): string {
  if (diff === null || !Number.isFinite(diff) || Math.abs(diff) < NO_DIFF) return 'transparent';
  const alpha = 0.08 + 0.57 * Math.min(1, Math.abs(diff) / FULL_DIFF);
  return diff >= 0 ? `rgba(40, 167, 69, ${alpha.toFixed(3)})` : `rgba(220, 53, 69, ${alpha.toFixed(3)})`;
}

/**
 * An SVG ready to sit inside HTML: the XML namespace declarations are implied there (and are the
 * only URLs vega writes), and ids get the figure's prefix so that figures on one page cannot take
 * each other's clip paths or gradients.
 */
export function inlineSvg(svg: string, prefix: string): string {
  return svg
    .replace(/\s+xmlns(:xlink)?="[^"]*"/g, '')
    .replace(/\bid="([^"]+)"/g, `id="${prefix}-$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${prefix}-$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${prefix}-$1"`);
}

function cellHtml(c: TableCell, budget: number): string {
  const se = c.se === null ? '' : ` (standard error ${num(c.se)})`;
  const z = c.z === null ? '' : `, z ${c.z.toFixed(1)}`;
  const title = c.paper
    ? `ours ${num(c.mean)} ± ${num(c.std)} across laws${se}, paper ${num(c.paper.mean)} ± ${num(c.paper.std)}, difference ${signed(c.diff!)}${z}`
    : 'the paper has no figure here';
  const paper = c.paper
    ? `<div class="paper">paper ${num(c.paper.mean)} ± ${num(c.paper.std)} <span class="diff">${signed(c.diff!)}</span></div>`
    : '<div class="paper">paper —</div>';
  return (
    `<td class="cell" style="background:${diffColour(c.diff)}" title="${escapeHtml(title)}" data-budget="${budget}">` +
    `<div class="ours">${num(c.mean)} <span class="std">± ${num(c.std)}</span></div>${paper}</td>`
  );
}

function tableHtml(rows: readonly TableRow[]): string {
  const levels = Math.max(0, ...rows.map((r) => r.budgets.length));
  const methods = orderMethods(rows.map((r) => r.method));
  const head = ['method', ...Array.from({ length: levels }, (_, b) => `level ${b + 1}`), 'laws, units'];
  const body: string[] = [];
  let task = '';
  for (const r of rows) {
    if (r.task !== task) {
      task = r.task;
      const budgets = Array.from({ length: levels }, (_, b) => `<th class="budget">${r.budgets[b] === undefined ? '' : pct(r.budgets[b])}</th>`);
      body.push(
        `<tr class="task"><th scope="rowgroup"><a href="#${escapeHtml(anchor(r.task))}">${escapeHtml(r.task)}</a></th>${budgets.join('')}<th></th></tr>`,
      );
    }
    const cells = r.cells.map((c, b) => cellHtml(c, r.budgets[b]));
    while (cells.length < levels) cells.push('<td></td>');
    const swatch = `<span class="swatch" style="background:${methodColour(r.method, methods)}"></span>`;
    body.push(
      `<tr><th scope="row" class="method">${swatch}${escapeHtml(r.method)}</th>${cells.join('')}<td class="units">${r.laws} law${r.laws === 1 ? '' : 's'}, ${r.units < r.expected ? `${r.units} of ${r.expected} units (partial)` : `${r.units} unit${r.units === 1 ? '' : 's'}`}</td></tr>`,
    );
  }
  return `<table class="results"><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}

const anchor = (task: string) => `task-${task.replace(/[^A-Za-z0-9_-]+/g, '-')}`;

const CAPTIONS: Readonly<Record<Plot['kind'], string>> = {
  r2: 'Target-region R² at each budget level (fraction of the pool’s total cost, log scale): lines and filled points are this run’s mean over laws, bars ± one std across laws (across repeats when there is one law); hollow diamonds are the paper’s Table 2 at the same level, in the same colour. Points at one level are spread a little sideways so that they do not hide each other.',
  costs:
    'Cost of each experiment in the order each method chose it (one law, repeat 0, the first group; log scale): where a method spends its budget, and how early. Series are shifted a little sideways so that identical choices stay visible.',
};

const CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 Helvetica, Arial, sans-serif; color: #1f2328; margin: 0; background: #f6f7f9; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 10px; border-bottom: 1px solid #d8dbe0; padding-bottom: 4px; }
p.meta, p.note { color: #57606a; margin: 4px 0; }
nav a { margin-right: 12px; }
a { color: #0b5cad; text-decoration: none; }
a:hover { text-decoration: underline; }
table.results { border-collapse: collapse; background: #fff; box-shadow: 0 1px 2px rgba(0,0,0,.08); font-variant-numeric: tabular-nums; }
table.results th, table.results td { border: 1px solid #e1e4e8; padding: 5px 10px; text-align: right; vertical-align: top; }
table.results thead th { background: #eef1f4; text-align: center; }
table.stress { margin-bottom: 12px; font-size: 13px; }
h3 { font-size: 14px; margin: 18px 0 6px; }
table.results tr.task th { background: #f6f8fa; text-align: right; font-weight: 600; color: #57606a; }
table.results tr.task th:first-child { text-align: left; color: #1f2328; }
table.results th.method { text-align: left; font-weight: normal; white-space: nowrap; }
td.cell .ours { font-weight: 600; }
td.cell .std, td.cell .paper { color: #444c56; font-size: 12px; font-weight: normal; }
td.cell .diff { font-weight: 600; }
td.units { color: #57606a; font-size: 12px; white-space: nowrap; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: baseline; }
.scale { display: inline-flex; align-items: center; gap: 6px; font-size: 12px; color: #57606a; }
.scale .bar { width: 180px; height: 10px; border-radius: 2px;
  background: linear-gradient(to right, rgba(220,53,69,.65), rgba(220,53,69,.08) 49.9%, rgba(40,167,69,.08) 50.1%, rgba(40,167,69,.65)); }
.figures { display: flex; flex-wrap: wrap; gap: 16px; }
figure.plot { margin: 0; background: #fff; padding: 8px; box-shadow: 0 1px 2px rgba(0,0,0,.08); box-sizing: border-box; flex: 0 1 auto; }
figure.plot svg { display: block; width: 100%; height: auto; }
figure.plot figcaption { color: #57606a; font-size: 12px; margin-top: 4px; }
footer { margin-top: 36px; color: #57606a; font-size: 12px; }
footer code { word-break: break-all; }
`;

/** One stress-suite result folder as the page shows it. */
export interface StressSection {
  dir: string;
  units: { done: number; expected: number };
  figures: readonly StressFigure[];
  tables: readonly StressTable[];
}

export interface HtmlInput {
  rows: readonly TableRow[];
  plots: readonly Plot[];
  missing: readonly MissingPlot[];
  dirs: readonly string[];
  generated: Date;
  stress?: readonly StressSection[];
  halving?: HalvingSection | null;
}

/** The halving runs under the report's folder as the page shows them. */
export interface HalvingSection {
  runs: number;
  figures: readonly StressFigure[];
  table: StressTable;
}

function tableBlock(t: StressTable): string {
  return (
    `<h3>${escapeHtml(t.title)}</h3><table class="results stress"><thead><tr>${t.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead>` +
    `<tbody>${t.rows
      .map(
        (r) =>
          `<tr><th scope="row" class="method">${escapeHtml(r[0])}</th>${r
            .slice(1)
            .map((c) => `<td>${escapeHtml(c)}</td>`)
            .join('')}</tr>`,
      )
      .join('')}</tbody></table>`
  );
}

function halvingHtml(h: HalvingSection): string {
  return (
    `<section class="halving" id="halving"><h2>Learning-curve budget allocation</h2>` +
    `<p class="meta">${h.runs} halving run${h.runs === 1 ? '' : 's'} (\`active-sl halving run\`).</p>${tableBlock(h.table)}` +
    `<div class="figures">${h.figures.map((f) => figureHtml(f.id, f.svg, f.caption)).join('')}</div></section>`
  );
}

function figureHtml(id: string, svg: string, caption: string): string {
  // the figure is as wide as its drawing (so the caption wraps under it) and shrinks on a narrow screen
  const width = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)?.[1] ?? 500) + 16;
  return `<figure class="plot" id="plot-${escapeHtml(id)}" style="width:${width}px">${inlineSvg(svg, id)}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

function stressHtml(section: StressSection, k: number): string {
  const tables = section.tables.map(tableBlock);
  return (
    `<section class="stress" id="stress-${k}"><h2>Stress suite: where can active selection be trusted?</h2>` +
    `<p class="meta">${section.units.done} of ${section.units.expected} units, from <code>${escapeHtml(section.dir)}</code>. R² is against the noiseless truth; coverage counts a fresh simulated run in the target region inside fit’s 90% interval; the alarm is fit’s misspecification check.</p>` +
    `<div class="figures">${section.figures.map((f) => figureHtml(f.id, f.svg, f.caption)).join('')}</div>${tables.join('')}</section>`
  );
}

export function renderHtml({ rows, plots, missing, dirs, generated, stress = [], halving = null }: HtmlInput): string {
  const tasks = [...new Set(rows.map((r) => r.task))].sort();
  const sections = tasks.map((task) => {
    const figures = plots.filter((p) => p.task === task).map((p) => figureHtml(p.id, p.svg, CAPTIONS[p.kind]));
    const notes = missing
      .filter((m) => m.task === task)
      .map((m) => `<p class="note">No ${m.kind === 'costs' ? 'cost' : 'R²'} figure: ${escapeHtml(m.reason)}</p>`);
    return `<section class="task" id="${escapeHtml(anchor(task))}"><h2>${escapeHtml(task)}</h2><div class="figures">${figures.join('')}</div>${notes.join('')}</section>`;
  });
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>active-sl report</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1>active-sl report</h1>
<p class="meta">${rows.length ? `${tasks.length} task${tasks.length === 1 ? '' : 's'}, ${rows.length} task × method results from ${dirs.length} run folder${dirs.length === 1 ? '' : 's'}; ` : ''}generated ${escapeHtml(generated.toISOString())}.</p>
<nav>${rows.length ? '<a href="#table">table</a>' : ''}${tasks.map((t) => `<a href="#${escapeHtml(anchor(t))}">${escapeHtml(t)}</a>`).join('')}${stress.map((_, k) => `<a href="#stress-${k}">stress suite</a>`).join('')}${halving ? '<a href="#halving">halving</a>' : ''}</nav>
${
  rows.length
    ? `<section id="table">
<h2>Target-region R² beside the paper’s Table 2</h2>
<p class="note">Each cell: mean over laws of each law’s mean over repeats ± std across laws, and the paper’s figure with the difference.
<span class="scale">below the paper <span class="bar"></span> above (full colour at ±${FULL_DIFF})</span></p>
${tableHtml(rows)}
</section>`
    : ''
}
${sections.join('\n')}
${stress.map(stressHtml).join('\n')}
${halving ? halvingHtml(halving) : ''}
<footer>${dirs.length ? '<p>Run folders:</p>' : ''}<ul>${dirs.map((d) => `<li><code>${escapeHtml(d)}</code></li>`).join('')}</ul></footer>
</main>
</body>
</html>
`;
  assertSelfContained(html);
  return html;
}

/** The page must open offline and leak nothing: any attribute or CSS that would fetch is a bug here. */
function assertSelfContained(html: string): void {
  const fetching = /\b(?:src|href|xlink:href|action|srcset|poster)\s*=\s*["']?(?!#)[^"'\s>]|url\(\s*["']?(?!#)|@import/i.exec(html);
  if (fetching) throw new Error(`internal error: the report would load an external resource near '${html.slice(fetching.index, fetching.index + 60)}'`);
}

interface StagedFile {
  name: string;
  text: string;
}

/** Writes every file under a temporary name, then renames them all; a failed write removes the temporaries. */
function commitFiles(dir: string, files: readonly StagedFile[]): void {
  fs.mkdirSync(dir, { recursive: true });
  const staged: [string, string][] = [];
  try {
    for (const f of files) {
      const tmp = path.join(dir, `.${f.name}.tmp-${process.pid}`);
      staged.push([tmp, path.join(dir, f.name)]);
      fs.writeFileSync(tmp, f.text);
    }
  } catch (e) {
    for (const [tmp] of staged) fs.rmSync(tmp, { force: true });
    throw e;
  }
  for (const [tmp, final] of staged) fs.renameSync(tmp, final);
}

const PLOT_FILE = /-(?:r2|costs)\.svg$|^(?:stress\d*|halving)-.*\.svg$/;

export async function writeReport(outDir: string, dirs?: string[], options: ReportOptions = {}): Promise<ReportFiles> {
  const runDirs = dirs ?? findRunDirs([outDir]);
  const found = findStressSummaries([outDir]);
  const halvingRuns = findHalvingRuns([outDir]);
  if (!runDirs.length && !found.length && !halvingRuns.length) {
    throw new Error(`no results under ${outDir} (a run folder holds config.json and runs.jsonl; a stress suite folder stress-summary.json)`);
  }
  const runs = mergeRuns(runDirs);
  const rows = buildTable(runs, true);
  const locate: LocateOptions = options.dataDir ? { dataDir: options.dataDir } : {};
  const { plots, missing } = await taskPlots(runs, readPaperTable(), locate);
  const stress: StressSection[] = [];
  for (const [k, { file, summary }] of found.entries()) {
    const prefix = found.length === 1 ? 'stress-' : `stress${k + 1}-`;
    stress.push({ dir: path.dirname(file), units: summary.units, figures: await stressFigures(summary, prefix), tables: stressTables(summary) });
  }
  const halving: HalvingSection | null = halvingRuns.length
    ? { runs: halvingRuns.length, figures: await halvingFigures(halvingRuns), table: halvingTable(halvingRuns) }
    : null;
  const html = renderHtml({ rows, plots, missing, dirs: runDirs, generated: new Date(), stress, halving });

  const reportDir = path.join(outDir, 'report');
  const figures = [...plots, ...stress.flatMap((s) => s.figures), ...(halving?.figures ?? [])];
  const svgNames = figures.map((p) => `${p.id}.svg`);
  // report.html last: when it is there, the files it was made with are too
  commitFiles(reportDir, [
    ...figures.map((p, i) => ({ name: svgNames[i], text: `<?xml version="1.0" encoding="utf-8"?>\n${p.svg}\n` })),
    // no benchmark runs (only halving or stress results): no header-only table files
    ...(rows.length
      ? [
          { name: 'table.md', text: renderMarkdown(rows, true) },
          { name: 'table.csv', text: renderCsv(rows) },
        ]
      : []),
    { name: 'report.html', text: html },
  ]);
  if (!rows.length) for (const f of ['table.md', 'table.csv']) fs.rmSync(path.join(reportDir, f), { force: true });
  // a task no longer in the results must not leave its old figures beside the new report
  for (const f of fs.readdirSync(reportDir)) if (PLOT_FILE.test(f) && !svgNames.includes(f)) fs.rmSync(path.join(reportDir, f), { force: true });

  return {
    html: path.join(reportDir, 'report.html'),
    svgs: svgNames.map((n) => path.join(reportDir, n)),
    tableMd: rows.length ? path.join(reportDir, 'table.md') : null,
    tableCsv: rows.length ? path.join(reportDir, 'table.csv') : null,
    missing,
  };
}
