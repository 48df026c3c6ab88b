#!/usr/bin/env node
// In how many Table-2 cells does one method score at least another, in our results and in the
// paper's? `node scripts/method-order.mjs results/scalebench mspe v-opt`
// Both sides are compared at the paper's precision (two decimals), so a tie counts as "at least".
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [dir, a, b] = process.argv.slice(2);
if (!dir || !a || !b) {
  process.stderr.write('usage: node scripts/method-order.mjs <results dir> <method a> <method b>\n');
  process.exit(2);
}
const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'main.js');
const rows = JSON.parse(execFileSync(process.execPath, [cli, 'table', dir, '--paper', '--format', 'json'], { encoding: 'utf8' }));

const round2 = (v) => Math.round(v * 100) / 100;
const mark = (atLeast) => (atLeast ? '≥' : '<');
const byTask = new Map();
for (const r of rows) {
  if (!byTask.has(r.task)) byTask.set(r.task, {});
  byTask.get(r.task)[r.method] = r;
}
let cells = 0;
let ours = 0;
let paper = 0;
const lines = [];
for (const [task, methods] of byTask) {
  const ra = methods[a];
  const rb = methods[b];
  if (!ra || !rb) continue;
  ra.cells.forEach((ca, i) => {
    const cb = rb.cells[i];
    if (!cb || !ca.paper || !cb.paper) return;
    cells++;
    const oursAtLeast = round2(ca.mean) >= round2(cb.mean);
    const paperAtLeast = ca.paper.mean >= cb.paper.mean;
    if (oursAtLeast) ours++;
    if (paperAtLeast) paper++;
    lines.push(
      `| ${task.replace(/_scaling_law$/, '')} | ${i + 1} | ${round2(ca.mean).toFixed(2)} ${mark(oursAtLeast)} ${round2(cb.mean).toFixed(2)} | ${ca.paper.mean.toFixed(2)} ${mark(paperAtLeast)} ${cb.paper.mean.toFixed(2)} |`,
    );
  });
}
process.stdout.write(
  [
    `| task | level | ours: ${a} vs ${b} | paper: ${a} vs ${b} |`,
    '| --- | --- | --- | --- |',
    ...lines,
    '',
    `${a} ≥ ${b}: ours in ${ours} of ${cells} cells, the paper in ${paper}.`,
    '',
  ].join('\n'),
);
