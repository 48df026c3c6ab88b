/**
 * Every command by name, with its one-line description and the module that defines it. main.ts
 * loads only the module of the command being run: the others appear in `active-sl --help` from
 * this table alone, so a command never pays for another's imports (vega, arrow, the fitters).
 */
import type { Command } from 'commander';
import { COMMAND_DESCRIPTIONS } from './catalog.js';

export interface CommandEntry {
  name: string;
  description: string;
  load: () => Promise<{ register(program: Command): void }>;
}

const LOADERS: Readonly<Record<string, CommandEntry['load']>> = {
  run: () => import('./run.js'),
  table: () => import('./table.js'),
  reproduce: () => import('./reproduce.js'),
  report: () => import('./report.js'),
  suggest: () => import('./suggest.js'),
  fit: () => import('./fit.js'),
  serve: () => import('./serve.js'),
  halving: () => import('./halving.js'),
  synth: () => import('./synth.js'),
  stress: () => import('./stress.js'),
  datasets: () => import('./datasets.js'),
  laws: () => import('./laws.js'),
  'fetch-data': () => import('./fetch-data.js'),
};

/** In the order `active-sl --help` lists them. */
export const COMMANDS: readonly CommandEntry[] = Object.entries(COMMAND_DESCRIPTIONS).map(([name, description]) => ({
  name,
  description,
  load: LOADERS[name],
}));
