/** `active-sl synth`: writes a synthetic task folder from a scenario spec or a stress-suite preset. */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { generateScenario, type GeneratedScenario } from '../../synth/generate.js';
import { isNoiseLevel, isStressScenario, NOISE_LEVELS, presetSpec, STRESS_SCENARIO_DETAILS, STRESS_SCENARIOS } from '../../synth/presets.js';
import { ScenarioError, type ScenarioSpecInput } from '../../synth/spec.js';
import { OutputFolderError, writeFolderAtomically } from '../../synth/write.js';
import { UsageError } from '../errors.js';
import { nonNegativeInt, numberFlag } from '../options.js';
import { describeCommand } from './catalog.js';

interface SynthFlags {
  spec?: string;
  preset?: string;
  noise?: string;
  noiseSd?: number;
  out?: string;
  seed?: number;
  force?: boolean;
  json?: boolean;
  list?: boolean;
}

const LEVELS = Object.keys(NOISE_LEVELS);

function readSpecFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--spec ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

/** The spec file with the flags' overrides applied; the spec's own checks still judge the result. */
function fromSpecFile(file: string, flags: SynthFlags): GeneratedScenario {
  const raw = readSpecFile(file);
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const spec = isObject(raw) ? { ...raw } : raw;
  if (isObject(spec)) {
    if (flags.seed !== undefined) spec.seed = flags.seed;
    if (flags.noiseSd !== undefined) spec.noise = { ...(isObject(spec.noise) ? spec.noise : {}), sd: flags.noiseSd };
  }
  try {
    // parseScenarioSpec inside generateScenario checks the shape of whatever the file held
    return generateScenario(spec as ScenarioSpecInput);
  } catch (e) {
    if (e instanceof ScenarioError) throw new UsageError(`${file}: ${e.message}`);
    throw e;
  }
}

function fromPreset(name: string, level: string, seed: number): GeneratedScenario {
  if (!isStressScenario(name)) throw new UsageError(`--preset ${name}: choose from ${STRESS_SCENARIOS.join(', ')} (see --list)`);
  if (!isNoiseLevel(level)) throw new UsageError(`--noise ${level}: choose from ${LEVELS.join(', ')}`);
  return generateScenario(presetSpec(name, level, seed));
}

function listPresets(json: boolean): void {
  if (json) {
    const presets = STRESS_SCENARIOS.map((name) => ({ name, ...STRESS_SCENARIO_DETAILS[name] }));
    process.stdout.write(`${JSON.stringify({ presets, noiseLevels: NOISE_LEVELS }, null, 2)}\n`);
    return;
  }
  const width = Math.max(...STRESS_SCENARIOS.map((n) => n.length));
  const lines = STRESS_SCENARIOS.map((name) => `${name.padEnd(width)}  ${STRESS_SCENARIO_DETAILS[name].summary}`);
  const levels = Object.entries(NOISE_LEVELS)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  process.stdout.write(`${lines.join('\n')}\n\nnoise levels (sd of the loss at the pool's geometric-mean cost): ${levels}\n`);
}

function generateFrom(flags: SynthFlags): GeneratedScenario {
  if ((flags.spec === undefined) === (flags.preset === undefined)) {
    throw new UsageError('give one of --spec <scenario.json> or --preset <name> (--list shows the presets)');
  }
  if (flags.spec !== undefined) {
    if (flags.noise !== undefined) throw new UsageError('--noise goes with --preset; with --spec, set noise.sd in the spec or use --noise-sd');
    return fromSpecFile(flags.spec, flags);
  }
  if (flags.noiseSd !== undefined) throw new UsageError(`--noise-sd goes with --spec; a preset takes --noise ${LEVELS.join('|')}`);
  return fromPreset(flags.preset!, flags.noise ?? 'mid', flags.seed ?? 0);
}

export function register(program: Command): void {
  program
    .command('synth')
    .description(describeCommand('synth'))
    .option('--spec <scenario.json>', 'a scenario spec (see below)')
    .option('--preset <name>', `a stress-suite scenario: ${STRESS_SCENARIOS.join(', ')}`)
    .option('--noise <level>', `a preset's noise: ${LEVELS.join(', ')} (default mid)`)
    .option('--noise-sd <x>', "with --spec: replaces noise.sd (the loss sd at the pool's geometric-mean cost)", numberFlag('--noise-sd'))
    .option('--seed <n>', 'seed of the noise draws (replaces the spec’s seed; presets default to 0)', nonNegativeInt('--seed'))
    .option('--out <dir>', 'the task folder to write')
    .option('--force', 'replace a non-empty --out folder that active-sl synth wrote before')
    .option('--json', 'print only a JSON summary')
    .option('--list', 'the presets, one line each')
    .addHelpText(
      'after',
      `
The pool is the grid of "pool" (the Cartesian product of the axes, features in order), the target
region the grid of "region", whose every point must cost more than any pool point. Pool losses are
the truth plus Gaussian noise with sd_i = sd · (cost_i / geometric-mean pool cost)^(−costPower),
then round(fraction · rows) pool rows get +offset (diverged runs; column diverged = 1). target.csv
holds the noiseless truth (<target>) and one noisy draw (<target>_observed); pool.csv also the truth
(<target>_true). Same spec and seed ⇒ the same bytes. task.json records the whole spec.

A scenario spec:
  {
    "name": "broken-power-law",
    "truth": { "formula": "E + A * N^(-alpha) * (1 + N / Nb)^(alpha - alpha2) + B * D^(-beta)",
               "values": { "E": 1.69, "A": 406.4, "alpha": 0.34, "alpha2": 0.15, "Nb": 2e9, "B": 410.7, "beta": 0.28 } },
    "laws": { "chinchilla": { "formula": "E + A * N^(-alpha) + B * D^(-beta)",
              "params": { "E": [0.5, 4], "A": [1, 1e5], "alpha": [0.05, 1.5], "B": [1, 1e6], "beta": [0.05, 1.5] } } },
    "features": ["N", "D"],
    "target": "loss",
    "pool":   { "N": { "from": 1e7, "to": 1e9, "points": 8, "scale": "log" }, "D": { "from": 2e8, "to": 2e10, "points": 8 } },
    "region": { "N": { "from": 3e9, "to": 1e10, "points": 3 }, "D": { "from": 6e10, "to": 2e11, "points": 3 } },
    "cost": "6 * N * D",
    "budgets": [0.01, 0.05, 0.1],
    "noise": { "sd": 0.02, "costPower": 0, "outliers": { "fraction": 0, "offset": 0.5 } },
    "seed": 0
  }
scale defaults to "log", budgets to [0.01, 0.05, 0.1], seed to 0; noise.sd (no noise block: a noiseless pool),
costPower and the outlier fraction to 0, the outlier offset to 0.5.

Examples:
  $ active-sl synth --list
  $ active-sl synth --preset broken-power --noise low --out scenarios/broken-low
  $ active-sl synth --spec scenario.json --out scenarios/mine --seed 3 --noise-sd 0.05
  $ active-sl run --task scenarios/broken-low/task.json --method mspe --repeats 3`,
    )
    .action((flags: SynthFlags) => {
      if (flags.list) {
        if (flags.spec !== undefined || flags.preset !== undefined || flags.out !== undefined) {
          throw new UsageError('--list prints the presets; it takes no --spec, --preset or --out');
        }
        listPresets(Boolean(flags.json));
        return;
      }
      if (flags.out === undefined) throw new UsageError('--out <dir> is required: the task folder to write');
      const generated = generateFrom(flags);
      let dir: string;
      try {
        dir = writeFolderAtomically(flags.out, generated.files, { force: Boolean(flags.force) });
      } catch (e) {
        if (e instanceof OutputFolderError) throw new UsageError(`--out ${e.message}`);
        throw e;
      }
      const s = generated.summary;
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ dir, files: Object.keys(generated.files), ...s }, null, 2)}\n`);
        return;
      }
      const task = path.join(path.relative(process.cwd(), dir) || '.', 'task.json');
      const noise = `noise sd ${s.noise.sd}${s.noise.costPower !== 0 ? ` × (cost / ${s.referenceCost.toPrecision(3)})^(−${s.noise.costPower})` : ''}`;
      process.stdout.write(
        `wrote ${dir} (${Object.keys(generated.files).join(', ')})\n` +
          `${s.name}: ${s.poolRows} pool rows, ${s.targetRows} target rows, ${noise}, ${s.diverged} diverged, seed ${s.seed}\n` +
          `next: active-sl run --task ${task} --method mspe\n`,
      );
    });
}
