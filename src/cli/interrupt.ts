/** Ctrl-C during a long run: finished units are already on disk, so say how to continue from them. */

/**
 * Runs `work` with a SIGINT handler that prints where the finished units are and how to run the
 * rest (`resume`: what to add to the same command), then exits 130 (the shell's code for an interrupt).
 */
export async function withResumeHint<T>(out: string, resume: string, work: () => Promise<T>): Promise<T> {
  const interrupted = () => {
    process.stderr.write(`\nactive-sl: interrupted; every finished unit is saved under ${out}: the same command${resume} runs the rest\n`);
    process.exit(130);
  };
  process.once('SIGINT', interrupted);
  try {
    return await work();
  } finally {
    process.off('SIGINT', interrupted);
  }
}
