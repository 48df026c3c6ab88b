// The CLI's start-up: wall milliseconds of `active-sl --help`, `active-sl run --help` and
// `active-sl fit --help` against a bare `node -e 0` on the same machine, median of 7 runs each.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const main = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'main.js');
const RUNS = 7;

function medianMs(args) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[RUNS >> 1]);
}

export function benchCliStart() {
  return {
    runs: RUNS,
    bareNodeMs: medianMs(['-e', '0']),
    helpMs: medianMs([main, '--help']),
    runHelpMs: medianMs([main, 'run', '--help']),
    fitHelpMs: medianMs([main, 'fit', '--help']),
  };
}
