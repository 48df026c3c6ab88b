/** `active-sl report`: the results as one self-contained HTML page with figures, beside the paper. */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { findRunDirs } from '../../report/collect.js';
import { UsageError } from '../errors.js';
import { describeCommand } from './catalog.js';

/** The desktop's "open this file" command, when there is one on PATH. */
function systemOpener(): string | null {
  const name = process.platform === 'darwin' ? 'open' : 'xdg-open';
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not in this folder
    }
  }
  return null;
}

function openInBrowser(file: string): void {
  const opener = systemOpener();
  const fallback = () => {
    process.stdout.write(`open ${file} in a browser (no ${process.platform === 'darwin' ? 'open' : 'xdg-open'} to do it here)\n`);
  };
  if (!opener) {
    fallback();
    return;
  }
  // detached and unreferenced: the browser outlives this command
  const child = spawn(opener, [file], { detached: true, stdio: 'ignore' });
  child.on('error', fallback);
  child.unref();
}

export function register(program: Command): void {
  program
    .command('report')
    .description(describeCommand('report'))
    .argument('<out>', 'results root (as `run --out`), or any folder holding run folders')
    .option('--open', 'open the report in the system browser (xdg-open / open)')
    .option('--data-dir <dir>', "where the tasks' data is, for the cost figures (as `run --data-dir`)")
    .addHelpText(
      'after',
      `
Writes <out>/report/: report.html (one self-contained file: inline SVG and CSS, nothing fetched),
each figure as its own .svg, and the table as table.md and table.csv. A stress suite folder
(\`active-sl stress --out\`) adds its R², coverage and alarm figures and tables; \`halving run\`
results add the strategies' table, the frontier band per setting and each run's seed-0 curves.
Table cells are coloured by their difference to the paper's Table 2: green above, red below,
stronger for larger differences.

Examples:
  $ active-sl report output --open
  $ active-sl report /shared/active-sl --data-dir ./data
  $ active-sl report stress-output          # after \`active-sl stress\``,
    )
    .action(async (out: string, opts: { open?: boolean; dataDir?: string }) => {
      let runDirs: string[];
      try {
        runDirs = findRunDirs([out]);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      // vega takes ~0.4 s to load; only this command should pay for it, not every `active-sl` call
      const { writeReport } = await import('../../report/html.js');
      const { findStressSummaries } = await import('../../report/stress.js');
      const { findHalvingRuns } = await import('../../report/halving.js');
      if (!runDirs.length && !findStressSummaries([out]).length && !findHalvingRuns([out]).length) {
        throw new UsageError(
          `no results under ${out} (a run folder holds config.json and runs.jsonl; make one with \`active-sl run\` or \`active-sl stress\`)`,
        );
      }
      const files = await writeReport(out, runDirs, { dataDir: opts.dataDir });
      for (const m of files.missing) process.stderr.write(`active-sl: no ${m.kind === 'costs' ? 'cost' : 'R²'} figure for ${m.task}: ${m.reason}\n`);
      process.stdout.write(
        `report: ${path.resolve(files.html)}\n  ${files.svgs.length} figure${files.svgs.length === 1 ? '' : 's'} (.svg), table.md and table.csv beside it\n`,
      );
      if (opts.open) openInBrowser(path.resolve(files.html));
    });
}
