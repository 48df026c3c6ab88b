#!/usr/bin/env node
// The same units run twice with different settings (e.g. --restarts 16 and 64): how many score alike.
// `node scripts/stability.mjs results/converged /tmp/stab64 [--tol 0.01]`
// Units are matched by task, method, law and repeat; a unit is stable when its R² differs by at most
// the tolerance at every budget level. Prints one row per (task, method) and the total.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
const at = args.indexOf('--tol');
const tol = at >= 0 ? Number(args.splice(at, 2)[1]) : 0.01;
const [a, b] = args;
if (!a || !b || !(tol >= 0)) {
  process.stderr.write('usage: node scripts/stability.mjs <results A> <results B> [--tol 0.01]\n');
  process.exit(2);
}
const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const { findRunDirs, mergeRuns } = await import(path.join(dist, 'report', 'collect.js'));

const units = (root) => {
  const out = new Map();
  for (const run of mergeRuns(findRunDirs([root]))) for (const r of run.records) out.set(`${run.task}\t${run.method}\t${r.law}\t${r.repeat}`, r.r2);
  return out;
};
const left = units(a);
const right = units(b);
const groups = new Map();
for (const [key, r2] of left) {
  const other = right.get(key);
  if (!other) continue;
  const [task, method] = key.split('\t');
  const g = groups.get(`${task}\t${method}`) ?? { units: 0, stable: 0, worst: 0, levels: r2.map(() => 0) };
  const gaps = r2.map((v, k) => Math.abs(v - other[k]));
  const gap = Math.max(...gaps);
  g.units++;
  if (gap <= tol) g.stable++;
  gaps.forEach((d, k) => {
    if (d <= tol) g.levels[k]++;
  });
  g.worst = Math.max(g.worst, gap);
  groups.set(`${task}\t${method}`, g);
}
const pct = (s, n) => (n ? `${((100 * s) / n).toFixed(0)}%` : '—');
const lines = [`| task | method | units | within ${tol} at every level | at level 1, 2, 3 | largest gap |`, '| --- | --- | --- | --- | --- | --- |'];
let units2 = 0;
let stable = 0;
for (const [key, g] of [...groups].sort()) {
  const [task, method] = key.split('\t');
  lines.push(
    `| ${task.replace(/_scaling_law$/, '')} | ${method} | ${g.units} | ${g.stable} (${pct(g.stable, g.units)}) | ${g.levels.join(', ')} | ${g.worst.toFixed(3)} |`,
  );
  units2 += g.units;
  stable += g.stable;
}
lines.push(`| all | | ${units2} | ${stable} (${pct(stable, units2)}) | | |`);
process.stdout.write(`${lines.join('\n')}\n`);
