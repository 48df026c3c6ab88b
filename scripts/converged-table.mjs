#!/usr/bin/env node
// Table 2 under converged fits beside the reference protocol and the paper:
// `node scripts/converged-table.mjs results/converged results/scalebench`
// Each cell is "converged / reference protocol / paper"; ↑ or ↓ marks a converged cell more than
// 0.05 above or below the reference protocol's, and the last columns count the units behind each.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [converged, reference] = process.argv.slice(2);
if (!converged || !reference) {
  process.stderr.write('usage: node scripts/converged-table.mjs <converged results> <reference-protocol results>\n');
  process.exit(2);
}
const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'main.js');
const table = (dir) => JSON.parse(execFileSync(process.execPath, [cli, 'table', dir, '--paper', '--format', 'json'], { encoding: 'utf8' }));
const key = (r) => `${r.task}\t${r.method}`;
const ref = new Map(table(reference).map((r) => [key(r), r]));
const rows = table(converged);

const num = (v) => (v === undefined || v === null ? '—' : v.toFixed(2));
const short = (task) => task.replace(/_scaling_law$/, '');
const levels = Math.max(...rows.map((r) => r.cells.length));
const THRESHOLD = 0.05;
const moves = { up: 0, down: 0, same: 0 };

const out = [];
const head = ['task', 'method', ...Array.from({ length: levels }, (_, b) => `level ${b + 1}: trf / lbfgsb / paper`), 'units trf / lbfgsb'];
out.push(`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`);
for (const r of rows) {
  const before = ref.get(key(r));
  const cells = r.cells.map((c, b) => {
    const old = before?.cells[b]?.mean;
    let arrow = '';
    if (old !== undefined) {
      if (c.mean > old + THRESHOLD) arrow = ' ↑';
      else if (c.mean < old - THRESHOLD) arrow = ' ↓';
      moves[arrow === ' ↑' ? 'up' : arrow === ' ↓' ? 'down' : 'same']++;
    }
    return `**${num(c.mean)}**${arrow} / ${num(old)} / ${num(c.paper?.mean)}`;
  });
  out.push(`| ${short(r.task)} | ${r.method} | ${cells.join(' | ')} | ${r.units} / ${before?.units ?? 0} |`);
}
out.push('', `Cells more than ${THRESHOLD} above the reference protocol: ${moves.up}; below: ${moves.down}; within: ${moves.same}.`);
process.stdout.write(`${out.join('\n')}\n`);
