#!/usr/bin/env node
// Two stress-suite folders side by side on the units both ran: mean target R², coverage of `fit`'s
// 90% intervals and alarm rate, per method, on the control scenario and on the misspecified ones.
// `node scripts/stress-compare.mjs results/stress results/stress-trf`
import fs from 'node:fs';
import path from 'node:path';

const [a, b] = process.argv.slice(2);
if (!a || !b) {
  process.stderr.write('usage: node scripts/stress-compare.mjs <stress folder A> <stress folder B>\n');
  process.exit(2);
}
const load = (dir) => {
  const out = new Map();
  const lines = fs
    .readFileSync(path.join(dir, 'units.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim());
  for (const l of lines) {
    const u = JSON.parse(l);
    out.set(`${u.scenario}\t${u.noise}\t${u.variant}\t${u.repeat}`, u);
  }
  return out;
};
const A = load(a);
const B = load(b);
const mean = (xs) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : NaN);
const groups = new Map();
let shared = 0;
for (const [key, ua] of A) {
  const ub = B.get(key);
  if (!ub) continue;
  shared++;
  const kind = ua.scenario === 'control' ? 'control' : 'misspecified';
  const g = groups.get(`${ua.variant}\t${kind}`) ?? { a: { r2: [], cov: [], alarm: [] }, b: { r2: [], cov: [], alarm: [] } };
  for (const [side, u] of [
    ['a', ua],
    ['b', ub],
  ]) {
    g[side].r2.push(...u.r2);
    g[side].cov.push(...u.coverage.filter((c) => c !== null));
    g[side].alarm.push(...u.alarm.filter((x) => x !== null).map((x) => (x ? 1 : 0)));
  }
  groups.set(`${ua.variant}\t${kind}`, g);
}
const f = (v) => v.toFixed(2);
const out = [
  `units in both: ${shared}`,
  '',
  `| method | scenarios | R² A | R² B | coverage A | coverage B | alarm A | alarm B |`,
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
];
for (const [key, g] of [...groups].sort()) {
  const [variant, kind] = key.split('\t');
  out.push(
    `| ${variant} | ${kind} | ${f(mean(g.a.r2))} | ${f(mean(g.b.r2))} | ${f(mean(g.a.cov))} | ${f(mean(g.b.cov))} | ${f(mean(g.a.alarm))} | ${f(mean(g.b.alarm))} |`,
  );
}
process.stdout.write(`${out.join('\n')}\n`);
