// `npm run bench [-- laws fit cheapest mspe]`: performance figures as JSON on stdout.
import os from 'node:os';
import { benchFit } from './fit.mjs';
import { benchLaws } from './laws.mjs';
import { benchScipy } from './scipy-compare.mjs';
import { benchUnits } from './runs.mjs';
import { benchHalving } from './halving-speed.mjs';
import { benchStress } from './stress.mjs';
import { benchCliStart } from './cli-start.mjs';

// default suites are the quick ones; name `cheapest`, `mspe`, `mspe-trf`, `dopt`, `dopt-trf`, `scipy`,
// `halving` or `stress` to run those (`cli-start` runs by default too) (BENCH_TASKS=lr_bsz_scaling_law BENCH_LAWS=sl_1 for one unit)
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
};
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
