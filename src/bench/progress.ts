/**
 * Progress on stderr: a live bar on a terminal (units done, elapsed, ETA), plain lines otherwise,
 * nothing with --quiet.
 */
export interface Progress {
  tick(label: string): void;
  done(message: string): void;
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

export function createProgress(total: number, title: string, options: { quiet?: boolean; stream?: NodeJS.WriteStream } = {}): Progress {
  const stream = options.stream ?? process.stderr;
  if (options.quiet) return { tick: () => {}, done: () => {} };
  const started = Date.now();
  let count = 0;
  const tty = Boolean(stream.isTTY);
  if (!tty) stream.write(`${title}: ${total} units\n`);
  return {
    tick(label) {
      count += 1;
      const elapsed = (Date.now() - started) / 1000;
      const eta = (elapsed / count) * (total - count);
      if (tty) {
        const width = 24;
        const filled = Math.round((count / Math.max(total, 1)) * width);
        stream.write(`\r${title} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${count}/${total} elapsed ${clock(elapsed)} eta ${clock(eta)} ${label}\x1b[K`);
      } else {
        stream.write(`[${count}/${total}] ${label} (elapsed ${clock(elapsed)}, eta ${clock(eta)})\n`);
      }
    },
    done(message) {
      if (tty) stream.write('\n');
      stream.write(`${message}\n`);
    },
  };
}
