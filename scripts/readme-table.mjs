#!/usr/bin/env node
// docs/results.md's Results table from result folders: `node scripts/readme-table.mjs results/scalebench`.
// Each cell is "ours ± std across laws (paper, z)", ✗ where ours is more than 0.10 below the paper;
// z is `active-sl table`'s (the difference over both standard errors, see `active-sl table --help`).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dirs = process.argv.slice(2);
if (!dirs.length) {
  process.stderr.write('usage: node scripts/readme-table.mjs <result dir>...\n');
  process.exit(2);
}
const cli = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'main.js');
const rows = JSON.parse(execFileSync(process.execPath, [cli, 'table', ...dirs, '--paper', '--format', 'json'], { encoding: 'utf8' }));

const num = (v) => v.toFixed(2);
const signed1 = (v) => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(1)}`;
const short = (task) => task.replace(/_scaling_law$/, '');
const levels = Math.max(...rows.map((r) => r.cells.length));

const out = [];
const head = ['task', 'method', ...Array.from({ length: levels }, (_, b) => `level ${b + 1} ours (paper, z)`), 'laws × repeats'];
out.push(`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`);
for (const r of rows) {
  const cells = r.cells.map((c) => {
    if (!c.paper) return `${num(c.mean)} ± ${num(c.std)} (—)`;
    const miss = c.mean < c.paper.mean - 0.1 ? ' ✗' : '';
    const z = c.z === null ? '' : `, ${signed1(c.z)}`;
    return `${num(c.mean)} ± ${num(c.std)} (${num(c.paper.mean)}${miss}${z})`;
  });
  out.push(`| ${short(r.task)} | ${r.method} | ${cells.join(' | ')} | ${r.units} |`);
}
process.stdout.write(`${out.join('\n')}\n`);
