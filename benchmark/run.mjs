// `npm run bench [-- laws fit cheapest mspe]`: performance figures as JSON on stdout.
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchFit } from './fit.mjs';
import { benchLaws } from './laws.mjs';
import { benchScipy } from './scipy-compare.mjs';
import { benchUnits } from './runs.mjs';
import { benchHalving } from './halving-speed.mjs';
import { benchStress } from './stress.mjs';
import { benchCliStart } from './cli-start.mjs';

// default suites are the quick ones; name `cheapest`, `mspe`, `mspe-trf`, `dopt`, `dopt-trf`, `scipy`,
// `halving`, `stress` or `serve` to run those (`cli-start` runs by default too) (BENCH_TASKS=lr_bsz_scaling_law BENCH_LAWS=sl_1 for one unit)
const SUITES = {
  laws: benchLaws,
  fit: () => benchFit(),
  'fit-lm': () => benchFit({ fitter: 'lm' }),
  'fit-trf': () => benchFit({ fitter: 'trf' }),
  scipy: benchScipy,
  cheapest: () => benchUnits('cheapest', { allLaws: true }),
  mspe: () => benchUnits('mspe'),
  'mspe-trf': () => benchUnits('mspe', { fitter: 'trf' }),
  'dopt-trf': () => benchUnits('d-opt', { fitter: 'trf' }),
  dopt: () => benchUnits('d-opt'),
  halving: benchHalving,
  'halving-full': benchHalving,
  stress: benchStress,
  'cli-start': benchCliStart,
  serve: serveLoad,
};

/** `active-sl serve` under 200 concurrent tells and 50 asks: serve-load.mjs runs its own server, in a process of its own. */
function serveLoad() {
  const r = spawnSync(process.execPath, [fileURLToPath(new URL('./serve-load.mjs', import.meta.url))], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`serve-load.mjs exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : ['laws', 'fit', 'cli-start'];
const unknown = names.filter((n) => !SUITES[n]);
if (unknown.length) {
  process.stderr.write(`unknown suite ${unknown.join(', ')}; suites: ${Object.keys(SUITES).join(', ')}\n`);
  process.exit(2);
}
const result = { node: process.version, cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? '', suites: {} };
for (const n of names) {
  process.stderr.write(`bench: ${n}…\n`);
  result.suites[n] = await SUITES[n]();
}
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
