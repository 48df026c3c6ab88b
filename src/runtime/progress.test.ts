/** Progress lines, and the announcement of long work with its estimate after the first unit. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProgress, LONG_WORK_SECONDS, roughly } from './progress.js';

function capture(): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const stream = { isTTY: false, write: (s: string) => chunks.push(s) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, text: () => chunks.join('') };
}

afterEach(() => vi.useRealTimers());

describe('createProgress', () => {
  it('announces work estimated at an hour or more after its first unit, paced per worker', () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    const out = capture();
    const p = createProgress(1000, 'vocab mspe', { stream: out.stream, workers: 2 });
    vi.setSystemTime(10_000);
    p.tick('sl_1 repeat 0');
    // 10 s a unit, 999 left on 2 workers: 4,995 s to go, 5,005 s in all
    expect(out.text()).toContain('vocab mspe: 1000 units will take about 83 min at the pace of the first (2 workers); Ctrl-C stops it\n');
    expect(out.text()).toContain('[1/1000] sl_1 repeat 0 (elapsed 00:10, eta 1:23:15)');
    vi.setSystemTime(20_000);
    p.tick('sl_1 repeat 1');
    expect(out.text().match(/will take about/g)).toHaveLength(1);
  });

  it('says nothing more for short work', () => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
    const out = capture();
    const p = createProgress(30, 'moe random', { stream: out.stream });
    vi.setSystemTime(60_000);
    p.tick('sl_1 repeat 0');
    expect(29 * 60).toBeLessThan(LONG_WORK_SECONDS);
    expect(out.text()).not.toContain('will take about');
  });

  it('rounds durations to minutes, hours or days', () => {
    expect(roughly(600)).toBe('10 min');
    expect(roughly(4 * 3600)).toBe('4.0 hours');
    expect(roughly(30 * 86400)).toBe('30.0 days');
  });
});
