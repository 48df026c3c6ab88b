/** `active-sl laws`: each law's formula, parameters and bounds. */
import type { Command } from 'commander';
import { builtinTaskNames, lawOf, loadTask } from '../../data/task.js';
import { formatBound } from '../format.js';
import { describeCommand } from './catalog.js';

export function register(program: Command): void {
  program
    .command('laws')
    .description(describeCommand('laws'))
    .option('--dataset <name>', 'a built-in task name, or a path to a task .json file')
    .option('--law <id>', 'only this law')
    .option('--json', 'print JSON only')
    .addHelpText('after', '\nExamples:\n  $ active-sl laws --dataset moe_scaling_law\n  $ active-sl laws --dataset ./my-task.json --law chinchilla --json')
    .action((opts: { dataset?: string; law?: string; json?: boolean }) => {
      const tasks = opts.dataset ? [loadTask(opts.dataset)] : builtinTaskNames().map(loadTask);
      const out = tasks.map((task) => {
        const ids = opts.law ? [opts.law] : Object.keys(task.laws);
        return {
          task: task.name,
          laws: ids.map((id) => {
            const law = lawOf(task, id);
            return {
              id,
              description: law.description,
              formula: task.laws[id].formula,
              params: law.params.map((p, i) => ({ name: p, lo: law.bounds[i][0], hi: law.bounds[i][1], linear: law.linear.includes(i) })),
            };
          }),
        };
      });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(opts.dataset ? out[0] : out, null, 2)}\n`);
        return;
      }
      const text: string[] = [];
      for (const t of out) {
        text.push(`== ${t.task}`);
        for (const l of t.laws) {
          text.push(`${l.id} (${l.params.length} params)${l.description ? `: ${l.description}` : ''}`);
          const formulas = typeof l.formula === 'string' ? { '': l.formula } : l.formula;
          for (const [target, f] of Object.entries(formulas)) {
            text.push(`  ${target ? `${target} = ` : ''}${f.replace(/\s*\n\s*/g, ' ')}`);
          }
          text.push(`  θ: ${l.params.map((p) => `${p.name} ∈ [${formatBound(p.lo)}, ${formatBound(p.hi)}]${p.linear ? ' (linear)' : ''}`).join(', ')}`);
        }
        text.push('');
      }
      process.stdout.write(`${text.join('\n')}`);
    });
}
