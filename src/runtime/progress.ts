/**
 * Progress on stderr: a live bar on a terminal (units done, elapsed, ETA), plain lines otherwise,
 * nothing with --quiet. Work that will take long says so, with its estimate, as soon as the first
 * unit gives a pace: nobody should learn after a day that a request needed a month.
 */
export interface Progress {
  tick(label: string): void;
  done(message: string): void;
}

/** Work estimated at this many seconds or more is announced after its first unit. */
export const LONG_WORK_SECONDS = 3600;

/** A duration in words for the announcement: minutes, hours or days. */
export function roughly(seconds: number): string {
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 2 * 86400) return `${(seconds / 3600).toFixed(1)} hours`;
  return `${(seconds / 86400).toFixed(1)} days`;
}

function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${pad(m)}:${pad(s % 60)}`;
}

export interface ProgressOptions {
  quiet?: boolean;
  stream?: NodeJS.WriteStream;
  /** Units that run at once: until that many have finished, the pace is one unit per worker. */
  workers?: number;
}

export function createProgress(total: number, title: string, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  if (options.quiet) return { tick: () => {}, done: () => {} };
  const workers = Math.max(1, Math.min(options.workers ?? 1, total));
  const started = Date.now();
  let count = 0;
  const tty = Boolean(stream.isTTY);
  if (!tty) stream.write(`${title}: ${total} units\n`);
  return {
    tick(label) {
      count += 1;
      const elapsed = (Date.now() - started) / 1000;
      // the first units finish together when several workers run: until then the pace is per worker
      const eta = count < workers ? (elapsed * (total - count)) / workers : (elapsed / count) * (total - count);
      if (count === 1 && eta >= LONG_WORK_SECONDS) {
        stream.write(
          `${tty ? '\n' : ''}${title}: ${total} units will take about ${roughly(eta + elapsed)} at the pace of the first (${workers} worker${workers > 1 ? 's' : ''}); Ctrl-C stops it\n`,
        );
      }
      if (tty) {
        const width = 24;
        const filled = Math.round((count / Math.max(total, 1)) * width);
        stream.write(
          `\r${title} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${count}/${total} elapsed ${clock(elapsed)} eta ${clock(eta)} ${label}\x1b[K`,
        );
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
