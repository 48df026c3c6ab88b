import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runBenchmark } from '../benchmark/run.js';
import type { Method } from '../benchmark/unit.js';
import { register } from '../cli/commands/report.js';
import { UsageError } from '../cli/errors.js';
import { loadTaskData } from '../data/dataset.js';
import { loadTask } from '../data/task.js';
import { findRunDirs, mergeRuns } from './collect.js';
import { writeReport, type ReportFiles } from './html.js';
import { paperCell, readPaperTable } from './paper.js';
import { logTicks } from './plots.js';
import { buildTable } from './table.js';

const TASK = 'parallel_scaling_law';
const METHODS: Method[] = ['cheapest', 'mspe'];

/** Tiny results from the real engine: two methods, one law, two repeats, four restarts. */
async function makeResults(out: string): Promise<void> {
  const task = loadTask(TASK);
  const data = await loadTaskData(task);
  for (const method of METHODS) {
    await runBenchmark(
      {
        task,
        method,
        laws: ['sl_9'],
        repeats: 2,
        seed: 0,
        restarts: 4,
        fitter: 'lbfgsb',
        gradient: 'reference',
        workers: 1,
        out,
        shard: null,
        resume: false,
        quiet: true,
      },
      data,
    );
  }
}

/** Symbol and line marks drawn from data (axes, legends and titles are other mark roles). */
function dataMarks(svg: string): { symbols: number; lines: number; rules: number } {
  const count = (kind: string) => {
    let n = 0;
    for (const m of svg.matchAll(new RegExp(`<g class="mark-${kind} role-mark[^"]*"[^>]*>(.*?)</g>`, 'gs')))
      n += (m[1].match(/<(path|line)\b[^>]*\bd="M|<line\b/g) ?? []).length;
    return n;
  };
  return { symbols: count('symbol'), lines: count('line'), rules: count('rule') };
}

describe('active-sl report', () => {
  let out: string;
  let files: ReportFiles;
  let html: string;

  beforeAll(async () => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-report-'));
    await makeResults(out);
    files = await writeReport(out);
    html = fs.readFileSync(files.html, 'utf8');
  });
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  it('writes the page, one SVG per figure and the table, and no temporary files', () => {
    const dir = path.join(out, 'report');
    expect(files.html).toBe(path.join(dir, 'report.html'));
    expect(files.svgs.map((f) => path.basename(f)).sort()).toEqual([`${TASK}-costs.svg`, `${TASK}-r2.svg`]);
    for (const f of [files.html, ...files.svgs, files.tableMd!, files.tableCsv!]) expect(fs.statSync(f).size).toBeGreaterThan(0);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(files.missing).toEqual([]);
  });

  it('is one self-contained file: no URL, no script, no external stylesheet', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\((?!#)/i);
    expect(html).toMatch(/<style>[\s\S]+<\/style>/);
  });

  it('inlines one <svg> per figure, each with data marks', () => {
    const inline = html.match(/<svg\b[\s\S]*?<\/svg>/g) ?? [];
    expect(inline).toHaveLength(files.svgs.length);
    for (const svg of [...inline, ...files.svgs.map((f) => fs.readFileSync(f, 'utf8'))]) {
      const marks = dataMarks(svg);
      expect(marks.symbols).toBeGreaterThan(0);
      expect(marks.lines).toBeGreaterThan(0);
    }
    const r2 = dataMarks(inline.find((s) => s.includes('R² in the target region'))!);
    // 2 methods × 3 levels of ours, and the paper's point beside each
    expect(r2.symbols).toBe(12);
    expect(r2.lines).toBe(2);
    expect(r2.rules).toBe(6);
    for (const label of [
      'budget fraction (log)',
      'target-region R²',
      'selection order',
      'cost of the experiment (log)',
      'cheapest',
      'mspe',
      'paper (Table 2)',
    ]) {
      expect(html).toContain(label);
    }
  });

  it('draws the cost of each chosen experiment in selection order', async () => {
    const runs = mergeRuns(findRunDirs([out]));
    const data = await loadTaskData(loadTask(TASK));
    const group = data.groups[0];
    const costsSvg = fs.readFileSync(
      files.svgs.find((f) => f.endsWith('-costs.svg'))!,
      'utf8',
    );
    const chosen = runs.flatMap((r) => r.records.find((u) => u.repeat === 0)!.groups[group.name].chosen);
    expect(dataMarks(costsSvg).symbols).toBe(chosen.length);
    expect(costsSvg).toContain(`group ${group.name}`);
  });

  it("shows every cell's mean ± std and the paper's figure, coloured by the difference", () => {
    const rows = buildTable(mergeRuns(findRunDirs([out])), true);
    const paper = readPaperTable();
    for (const row of rows) {
      row.cells.forEach((c, b) => {
        expect(html).toContain(`${c.mean.toFixed(2)} <span class="std">± ${c.std.toFixed(2)}</span>`);
        const p = paperCell(paper, TASK, row.method, b)!;
        expect(html).toContain(`paper ${p.mean.toFixed(2)} ± ${p.std.toFixed(2)}`);
      });
    }
    const cells = html.match(/<td class="cell" style="background:[^"]+"/g) ?? [];
    expect(cells).toHaveLength(rows.length * 3);
    for (const row of rows) {
      for (const c of row.cells) {
        if (Math.abs(c.diff!) >= 0.005) expect(html).toContain(`background:rgba(${c.diff! > 0 ? '40, 167, 69' : '220, 53, 69'}`);
      }
    }
    const md = fs.readFileSync(files.tableMd!, 'utf8');
    expect(md).toContain(`| ${TASK} | cheapest |`);
    expect(md).toContain('(paper ');
    const csv = fs.readFileSync(files.tableCsv!, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('task,method,level,budget,mean,std,paper_mean,paper_std,diff,units,se,z');
    expect(csv).toHaveLength(1 + METHODS.length * 3);
  });

  it('leaves the previous report untouched when a run folder cannot be read', async () => {
    const before = fs.readFileSync(files.html, 'utf8');
    const broken = path.join(out, 'broken', 'run');
    fs.mkdirSync(broken, { recursive: true });
    fs.writeFileSync(path.join(broken, 'config.json'), '{ not json');
    fs.writeFileSync(path.join(broken, 'runs.jsonl'), '');
    try {
      await expect(writeReport(out)).rejects.toThrow();
      expect(fs.readFileSync(files.html, 'utf8')).toBe(before);
      expect(fs.readdirSync(path.join(out, 'report')).filter((f) => f.includes('.tmp-'))).toEqual([]);
    } finally {
      fs.rmSync(path.join(out, 'broken'), { recursive: true, force: true });
    }
  });

  it('the command names the folder when it holds no results, and prints the path otherwise', async () => {
    const program = () => {
      const p = new Command().exitOverride();
      register(p);
      return p;
    };
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-report-empty-'));
    try {
      const failure = program().parseAsync(['report', empty], { from: 'user' });
      await expect(failure).rejects.toThrow(UsageError);
      await expect(failure).rejects.toThrow(`no results under ${empty}`);
      expect(fs.existsSync(path.join(empty, 'report'))).toBe(false);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
    await expect(program().parseAsync(['report', path.join(empty, 'nope')], { from: 'user' })).rejects.toThrow(UsageError);

    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await program().parseAsync(['report', out], { from: 'user' });
      expect(write.mock.calls.map((c) => String(c[0])).join('')).toContain(`report: ${files.html}`);
    } finally {
      write.mockRestore();
    }
  });

  it('puts log ticks on whole decades', () => {
    expect(logTicks([2e8, 3e10])).toEqual([1e8, 1e9, 1e10, 1e11]);
    expect(logTicks([0.3, 2])).toEqual([0.1, 0.3, 1, 3, 10]);
  });
});
