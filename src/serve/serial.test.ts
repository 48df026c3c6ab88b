import { describe, expect, it } from 'vitest';
import { createBatcher, createMutex, createScheduler } from './serial.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('createBatcher', () => {
  it('hands every item waiting for the mutex to one call, each with its own outcome', async () => {
    const mutex = createMutex();
    const calls: number[][] = [];
    const submit = createBatcher<number, number>(mutex, async (items) => {
      calls.push(items);
      await tick();
      return items.map((i) => (i === 3 ? { ok: false, error: new Error('three') } : { ok: true, value: i * 10 }));
    });
    let release!: () => void;
    const held = mutex.run(() => new Promise<void>((r) => (release = r)));
    const answers = [1, 2, 3, 4].map((i) => submit(i).catch((e: Error) => e.message));
    await tick();
    release();
    await held;
    expect(await Promise.all(answers)).toEqual([10, 20, 'three', 40]);
    expect(calls).toEqual([[1, 2, 3, 4]]);
    expect(await submit(5)).toBe(50);
    expect(calls).toEqual([[1, 2, 3, 4], [5]]);
  });
});

describe('createScheduler', () => {
  it('runs one task at a time, joins a waiting task of the same key, and runs background work when idle', async () => {
    const s = createScheduler();
    const order: string[] = [];
    let running = 0;
    const task = (name: string) => async () => {
      running++;
      expect(running).toBe(1);
      order.push(name);
      await tick();
      running--;
      return name;
    };
    const first = s.submit('a', task('a1'));
    s.background(async () => {
      order.push('background');
    });
    const second = s.submit('b', task('b1'));
    const joined = s.submit('b', task('b2'));
    const fresh = s.submit(null, task('c'));
    expect(await Promise.all([first, second, joined, fresh])).toEqual(['a1', 'b1', 'b1', 'c']);
    await tick();
    await tick();
    expect(order).toEqual(['a1', 'b1', 'c', 'background']);
  });
});
