/**
 * Ordering for the server's state: a mutex for changes (one file write at a time, in arrival
 * order), and a batcher that lets every tell waiting for the mutex share one write (group commit:
 * 200 concurrent tells make a handful of rewrites of the runs file, not 200).
 */

export interface Mutex {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Resolves once every task queued so far has finished. */
  idle(): Promise<void>;
}

export function createMutex(): Mutex {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      const result = tail.then(task);
      tail = result.catch(() => undefined);
      return result;
    },
    idle() {
      return tail.then(() => undefined);
    },
  };
}

/** Each item's own answer: a value, or the error that item alone gets. */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

/**
 * `submit(item)` queues an item; under the mutex, `process` gets every item queued by then (in
 * order) and returns one outcome per item. A throw from `process` fails the whole batch.
 */
export function createBatcher<T, R>(mutex: Mutex, process: (items: T[]) => Promise<Outcome<R>[]>): (item: T) => Promise<R> {
  let queue: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  let scheduled = false;
  const drain = async () => {
    scheduled = false;
    const batch = queue;
    queue = [];
    if (batch.length === 0) return;
    try {
      const outcomes = await process(batch.map((b) => b.item));
      batch.forEach((b, i) => {
        const o = outcomes[i];
        if (o.ok) b.resolve(o.value);
        else b.reject(o.error);
      });
    } catch (e) {
      for (const b of batch) b.reject(e);
    }
  };
  return (item: T) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        void mutex.run(drain);
      }
    });
}

export interface Scheduler {
  /**
   * Runs `task` after those queued before it. A task with the `key` of one still waiting joins it
   * (the answer is computed once, from the state when it starts); null never joins.
   */
  submit<T>(key: string | null, task: () => Promise<T>): Promise<T>;
  /** Runs `task` whenever nothing else is waiting (work nobody is waiting for). */
  background(task: () => Promise<void>): void;
}

export function createScheduler(): Scheduler {
  interface Job {
    key: string | null;
    run: () => Promise<unknown>;
    promise: Promise<unknown>;
    settle: { resolve: (v: unknown) => void; reject: (e: unknown) => void };
  }
  const waiting: Job[] = [];
  const spare: (() => Promise<void>)[] = [];
  let running = false;
  const pump = async () => {
    if (running) return;
    running = true;
    while (waiting.length || spare.length) {
      const job = waiting.shift();
      if (job) {
        try {
          job.settle.resolve(await job.run());
        } catch (e) {
          job.settle.reject(e);
        }
      } else await spare.shift()!().catch(() => undefined);
    }
    running = false;
  };
  return {
    submit<T>(key: string | null, task: () => Promise<T>): Promise<T> {
      const same = key === null ? undefined : waiting.find((j) => j.key === key);
      if (same) return same.promise as Promise<T>;
      let settle!: Job['settle'];
      const promise = new Promise<unknown>((resolve, reject) => (settle = { resolve, reject }));
      waiting.push({ key, run: task, promise, settle });
      void pump();
      return promise as Promise<T>;
    },
    background(task) {
      spare.push(task);
      void pump();
    },
  };
}
