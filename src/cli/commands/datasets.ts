/** `active-sl datasets`: the built-in tasks, like the paper's Table 1. */
import type { Command } from 'commander';
import { loadTaskData } from '../../data/dataset.js';
import { builtinTaskNames, loadTask } from '../../data/task.js';
import { textTable } from '../format.js';
import { describeCommand } from './catalog.js';

export interface DatasetSummary {
  name: string;
  poolRows: number | null;
  targetRows: number | null;
  groups: string[] | null;
  laws: number;
  budgets: number[];
  features: string[];
  targets: string[];
  cost: string;
  dataError?: string;
}

export async function summariseDatasets(dataDir?: string): Promise<DatasetSummary[]> {
  const out: DatasetSummary[] = [];
  for (const name of builtinTaskNames()) {
    const task = loadTask(name);
    const base = { name, laws: Object.keys(task.laws).length, budgets: task.budgets, features: task.features, targets: task.targets, cost: task.cost };
    try {
      const data = await loadTaskData(task, { dataDir });
      out.push({
        ...base,
        poolRows: data.groups.reduce((s, g) => s + g.pool.n, 0),
        targetRows: data.groups.reduce((s, g) => s + g.target.n, 0),
        groups: data.groups.map((g) => g.name),
      });
    } catch (e) {
      out.push({ ...base, poolRows: null, targetRows: null, groups: null, dataError: (e as Error).message });
    }
  }
  return out;
}

export function register(program: Command): void {
  program
    .command('datasets')
    .description(describeCommand('datasets'))
    .option('--data-dir <dir>', 'folder holding <task>/{train,test}-00000-of-00001.parquet')
    .option('--json', 'print JSON only')
    .addHelpText('after', '\nExample:\n  $ active-sl datasets\n  $ active-sl datasets --data-dir ~/scalebench --json')
    .action(async (opts: { dataDir?: string; json?: boolean }) => {
      const rows = await summariseDatasets(opts.dataDir);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      const dash = (v: number | null) => (v === null ? '—' : String(v));
      process.stdout.write(
        `${textTable(
          ['task', 'pool', 'target', 'groups', 'laws', 'budgets', 'features → targets'],
          rows.map((r) => [
            r.name,
            dash(r.poolRows),
            dash(r.targetRows),
            r.groups === null ? '—' : String(r.groups.length),
            String(r.laws),
            r.budgets.map((b) => `${+(b * 100).toFixed(2)}%`).join(' '),
            `${r.features.join(', ')} → ${r.targets.length > 2 ? `${r.targets.length} targets` : r.targets.join(', ')}`,
          ]),
          ['l', 'r', 'r', 'r', 'r', 'l', 'l'],
        )}\n`,
      );
      const missing = rows.filter((r) => r.dataError);
      if (missing.length) {
        process.stderr.write(`\nNo data for ${missing.map((r) => r.name).join(', ')}:\n${missing[0].dataError}\n`);
      }
    });
}
