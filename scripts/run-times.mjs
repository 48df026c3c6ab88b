#!/usr/bin/env node
// What a whole run costs, from the `wallSeconds` every unit records in runs.jsonl:
//   node scripts/run-times.mjs results/scalebench [--method mspe] [--format md|json]
// Per task × method: units found, the mean unit (one law, one repeat), one repeat of all laws on
// one worker (mean unit time × laws), the whole 10-repeat run, and the versions that made the units.
// Where several run folders hold the same unit (a partial run put beside an older one), the newest
// folder's counts.
// These are sums of unit times measured as the runs went, often two runs at a time on two cores,
// so they bound a timed run of the same grid from above.
import fs from 'node:fs';
import path from 'node:path';
import { readConfig } from '../dist/benchmark/results.js';
import { findRunDirs } from '../dist/report/collect.js';

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return null;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};
const onlyMethod = flag('--method');
const format = flag('--format') ?? 'md';
if (!args.length || !['md', 'json'].includes(format)) {
  process.stderr.write('usage: node scripts/run-times.mjs <results dir>... [--method m] [--format md|json]\n');
  process.exit(2);
}

const groups = new Map();
for (const dir of findRunDirs(args).sort((a, b) => path.basename(a).localeCompare(path.basename(b)))) {
  const config = readConfig(dir);
  if (onlyMethod && config.method !== onlyMethod) continue;
  const key = `${config.task}\t${config.method}`;
  if (!groups.has(key)) groups.set(key, { task: config.task, method: config.method, laws: config.laws.length, units: new Map() });
  const g = groups.get(key);
  // read strictly, not with readRuns: a bad line is reported, and the results are never rewritten
  const lines = fs
    .readFileSync(path.join(dir, 'runs.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim());
  lines.forEach((line, i) => {
    let unit;
    try {
      unit = JSON.parse(line);
    } catch {
      process.stderr.write(`run-times: ${path.join(dir, 'runs.jsonl')}: line ${i + 1} is not JSON\n`);
      process.exit(1);
    }
    // folders are read oldest first, so a later folder's unit replaces an earlier one's
    g.units.set(`${unit.law}\t${unit.repeat}`, { seconds: unit.wallSeconds, version: config.version });
  });
}

const rows = [...groups.values()]
  .map((g) => {
    const units = [...g.units.values()];
    const total = units.reduce((s, u) => s + u.seconds, 0);
    const perUnit = units.length ? total / units.length : NaN;
    return {
      task: g.task,
      method: g.method,
      units: units.length,
      secondsMeasured: +total.toFixed(1),
      secondsPerUnit: +perUnit.toFixed(2),
      secondsPerRepeat: +(perUnit * g.laws).toFixed(1),
      secondsFor10Repeats: +(perUnit * g.laws * 10).toFixed(0),
      // fewer units than 10 repeats of every law: the 10-repeat figure is extrapolated
      extrapolated: units.length < g.laws * 10,
      versions: [...new Set(units.map((u) => u.version))].sort(),
    };
  })
  .sort((a, b) => a.task.localeCompare(b.task) || a.method.localeCompare(b.method));

if (format === 'json') {
  process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
} else {
  const dur = (s) => (s < 10 ? `${s.toFixed(1)} s` : s < 120 ? `${Math.round(s)} s` : s < 7200 ? `${(s / 60).toFixed(0)} min` : `${(s / 3600).toFixed(1)} h`);
  const out = ['| task | method | units | one unit (mean) | one repeat of all laws | 10 repeats | version |', '| --- | --- | --- | --- | --- | --- | --- |'];
  for (const r of rows) {
    out.push(
      `| ${r.task.replace(/_scaling_law$/, '')} | ${r.method} | ${r.units} | ${dur(r.secondsPerUnit)} | ${dur(r.secondsPerRepeat)} | ${r.extrapolated ? '~' : ''}${dur(r.secondsFor10Repeats)} | ${r.versions.join(', ')} |`,
    );
  }
  const sum = rows.reduce((s, r) => s + r.secondsFor10Repeats, 0);
  out.push('', `All rows at 10 repeats: ${(sum / 3600).toFixed(1)} core-hours (~: extrapolated from the units run).`);
  process.stdout.write(`${out.join('\n')}\n`);
}
