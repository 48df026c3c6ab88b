// `node benchmark/alarm.mjs [--seeds 200] [--dist dist] [--markdown]`
//
// How often does "your law does not fit" fire? Chinchilla (E + A·N^−α + B·D^−β, the bounds of the
// alarm's tests) is fitted to noisy draws of seven truths: itself (every firing is a false alarm) and
// six laws it cannot follow — a smooth step in log N alone (a small one, and a large one that pins a
// parameter at its bound), a term in N and D jointly, data whose effect saturates, an exponent that
// drifts with N, and the right law with one diverged run (+0.3). Each at
// three noise levels and four designs of observed runs, costed 6·N·D:
//   grid        8 × 8, N 1e7…1e9 × D 2e8…2e10 (64 runs)
//   spread      34 runs drawn from a 12 × 12 grid over the same box (a new draw per seed)
//   cheap-half  the 36 cheapest runs of the 8 × 8 grid (nothing at the costly corner)
//   replicated  spread's draw with 6 of its configurations run twice more (34 + 12 runs)
// Every cell is the share of seeds on which the alarm fired; `given-sd` is the same fits checked
// again with the true noise sd passed (what `--noise-sd` does). `--dist` points at another build,
// to measure a version before a change. Prints one JSON object; `--markdown` prints a table.
// `node benchmark/alarm.mjs --table after.json [before.json]` prints the table of saved results
// (each cell "before → after" when both are given).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const SEEDS = Number(flag('seeds', '200'));

function table(cells, before) {
  const noise = [...new Set(cells.map((c) => c.sd))];
  const truths = [...new Set(cells.map((c) => c.truth))];
  const designs = [...new Set(cells.map((c) => c.design))];
  const find = (list, t, d, sd) => list?.find((c) => c.truth === t && c.design === d && c.sd === sd);
  const show = (t, d, sd, key) => {
    const now = find(cells, t, d, sd)[key].toFixed(2);
    const then = find(before, t, d, sd);
    return then ? `${then[key].toFixed(2)} → ${now}` : now;
  };
  const head = `| truth | design | ${noise.map((sd) => `sd ${sd}`).join(' | ')} | ${noise.map((sd) => `sd ${sd}, --noise-sd`).join(' | ')} |`;
  const lines = [head, `| --- | --- |${' --- |'.repeat(2 * noise.length)}`];
  for (const t of truths) {
    for (const d of designs)
      lines.push(
        `| ${t} | ${d} | ${noise.map((sd) => show(t, d, sd, 'fired')).join(' | ')} | ${noise.map((sd) => show(t, d, sd, 'firedGivenSd')).join(' | ')} |`,
      );
  }
  return lines.join('\n');
}

if (args.includes('--table')) {
  const i = args.indexOf('--table');
  const read = (f) => (f && !f.startsWith('--') ? JSON.parse(fs.readFileSync(f, 'utf8')).cells : undefined);
  console.log(table(read(args[i + 1]), read(args[i + 2])));
  process.exit(0);
}
const dist = path.resolve(flag('dist', 'dist'));
const { checkLawFits, compileLaw, LeastSquares, rngFor } = await import(pathToFileURL(path.join(dist, 'index.js')).href);

const PARAMS = { E: [0.5, 4], A: [1, 1e5], alpha: [0.05, 1.5], B: [1, 1e6], beta: [0.05, 1.5] };
const TRUTH = [1.69, 406.4, 0.34, 410.7, 0.28];
const law = (formula) => compileLaw({ formula, params: PARAMS, features: ['N', 'D'] });
const chinchilla = law('E + A * N^(-alpha) + B * D^(-beta)');
const TRUTHS = {
  right: chinchilla,
  'small step in N': law('E + A * N^(-alpha) + B * D^(-beta) + 0.1 / (1 + exp(-(log(N) - log(1e8)) / 0.3))'),
  'large step in N': law('E + A * N^(-alpha) + B * D^(-beta) + 0.5 / (1 + exp(-(log(N) - log(3e7)) / 0.3))'),
  'N·D term': law('E + A * N^(-alpha) + B * D^(-beta) + 2e3 * (N * D)^(-0.25)'),
  'saturating D': law('E + A * N^(-alpha) + B * (2e10 * (1 - exp(-D/2e10)))^(-beta)'),
  'drifting exponent': law('E + A * N^(-alpha) * (1 + N/3e8)^(alpha - 0.2) + B * D^(-beta)'),
  'one diverged run': chinchilla,
};
const DIVERGED_JUMP = 0.3;
const NOISE = [0.02, 0.01, 0.005];

const logGrid = (lo, hi, k) => Array.from({ length: k }, (_, i) => lo * (hi / lo) ** (i / (k - 1)));
const cross = (ns, ds) => ns.flatMap((n) => ds.map((d) => [n, d]));
const GRID = cross(logGrid(1e7, 1e9, 8), logGrid(2e8, 2e10, 8));
const FINE = cross(logGrid(1e7, 1e9, 12), logGrid(2e8, 2e10, 12));
const CHEAP = [...GRID].sort((a, b) => a[0] * a[1] - b[0] * b[1]).slice(0, 36);

function draw(rng, pool, k) {
  const idx = pool.map((_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng() * (idx.length - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx.slice(0, k).map((i) => pool[i]);
}

const DESIGNS = {
  grid: () => GRID,
  spread: (rng) => draw(rng, FINE, 34),
  'cheap-half': () => CHEAP,
  replicated: (rng) => {
    const base = draw(rng, FINE, 34);
    return [...base, ...base.slice(0, 6), ...base.slice(0, 6)];
  },
};

const normal = (rng) => Math.sqrt(-2 * Math.log(rng() + 1e-300)) * Math.cos(2 * Math.PI * rng());
const clampTo = (v, [lo, hi]) => Math.min(Math.max(v, lo), hi);

function one(truthName, designName, sd, seed) {
  const rng = rngFor(['alarm-bench', truthName, designName, sd, seed]);
  const rows = DESIGNS[designName](rng);
  const X = [Float64Array.from(rows, (r) => r[0]), Float64Array.from(rows, (r) => r[1])];
  const cost = Float64Array.from(rows, (r) => 6 * r[0] * r[1]);
  const mean = TRUTHS[truthName].bind(X).value(TRUTH, new Float64Array(rows.length));
  const y = Float64Array.from(mean, (m) => m + sd * normal(rng));
  if (truthName === 'one diverged run') y[Math.floor(rng() * y.length)] += DIVERGED_JUMP;
  // four starts near the truth's parameters and four anywhere in the box (log-uniform where the box spans decades)
  const starts = [
    ...Array.from({ length: 4 }, () => Float64Array.from(TRUTH, (t, j) => clampTo(t * Math.exp(0.3 * normal(rng)), chinchilla.bounds[j]))),
    ...Array.from({ length: 4 }, () => Float64Array.from(chinchilla.bounds, ([lo, hi]) => (hi / lo > 100 ? lo * (hi / lo) ** rng() : lo + (hi - lo) * rng()))),
  ];
  const fits = new LeastSquares(chinchilla, X, y, { objective: 'mse' }).fit(starts);
  const theta = fits.fits[fits.best].theta;
  const plain = checkLawFits(chinchilla, X, y, theta, cost);
  const given = checkLawFits(chinchilla, X, y, theta, cost, { sigma2: sd * sd });
  return { plain, given, residualSd: Math.sqrt(fits.fits[fits.best].loss) };
}

const cells = [];
for (const truthName of Object.keys(TRUTHS)) {
  for (const designName of Object.keys(DESIGNS)) {
    for (const sd of NOISE) {
      let plain = 0;
      let given = 0;
      let resSd = 0;
      const firedBy = {};
      for (let seed = 0; seed < SEEDS; seed++) {
        const r = one(truthName, designName, sd, seed);
        if (!r.plain.ok) {
          plain++;
          firedBy[r.plain.fired[0]] = (firedBy[r.plain.fired[0]] ?? 0) + 1;
        }
        if (!r.given.ok) given++;
        resSd += r.residualSd / SEEDS;
      }
      cells.push({ truth: truthName, design: designName, sd, seeds: SEEDS, fired: plain / SEEDS, firedGivenSd: given / SEEDS, firedBy, meanResidualSd: resSd });
      process.stderr.write(`${truthName} · ${designName} · sd ${sd}: ${(plain / SEEDS).toFixed(2)} (given sd ${(given / SEEDS).toFixed(2)})\n`);
    }
  }
}

if (args.includes('--markdown')) console.log(table(cells));
else console.log(JSON.stringify({ seeds: SEEDS, dist, cells }, null, 1));
