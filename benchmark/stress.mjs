// The stress suite's wall time: `npm run bench -- stress` runs it with all cores into a fresh
// folder (STRESS_REPEATS, default 1 — the full suite is 10, `npm run stress`) and reports the time
// with the per-unit figure it implies for the full suite.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runStressSuite, STRESS_METHODS } from '../dist/stress/suite.js';
import { NOISE_LEVELS, STRESS_SCENARIOS } from '../dist/synth/presets.js';

export async function benchStress() {
  const repeats = Number(process.env.STRESS_REPEATS ?? 1);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'asl-bench-stress-'));
  const workers = os.availableParallelism();
  const started = performance.now();
  const r = await runStressSuite({
    out,
    repeats,
    scenarios: [...STRESS_SCENARIOS],
    noises: Object.keys(NOISE_LEVELS),
    methods: [...STRESS_METHODS],
    extras: true,
    restarts: 64,
    seed: 0,
    workers,
    quiet: true,
  });
  const seconds = (performance.now() - started) / 1000;
  fs.rmSync(out, { recursive: true, force: true });
  return {
    repeats,
    workers,
    units: r.ran,
    wallSeconds: +seconds.toFixed(1),
    // the suite's units are alike across repeats, so the full suite scales with them
    fullSuiteEstimateSeconds: +((seconds * 10) / repeats).toFixed(0),
  };
}
