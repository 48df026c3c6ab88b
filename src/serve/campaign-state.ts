/**
 * One campaign being served: the task and its pool, the observed runs file (store.ts), the pending
 * leases (leases.ts) and a version that every change raises; tells, leases and releases change it
 * one at a time (a mutex, tells sharing one write), questions are answered by the engine
 * (computer.ts) from the state when their turn comes, and listeners hear of every new version.
 * Everything lives in the object `openCampaign` returns.
 */
import path from 'node:path';
import { loadPracticeData, type PracticeData, type PracticeGroup } from '../campaign/data.js';
import { observedCosts } from '../campaign/model.js';
import { matchToPool, sameConfiguration, type ObservedRuns } from '../campaign/observed.js';
import type { SuggestMethod } from '../campaign/suggest.js';
import { loadTask, type TaskSpec } from '../data/task.js';
import { figure } from '../text/figure.js';
import { createComputer, type Computer } from './computer.js';
import type { EngineConfig, GroupView, PendingRef, RunsSnapshot, SuggestAnswer } from './engine.js';
import { HttpError, badRequest, ServeError } from './errors.js';
import type { GroupFigures } from './figures.js';
import { createLeaseBook, parseDuration, pendingFileOf, readPending, writePending, type Lease } from './leases.js';
import { acquireLock, type HeldLock } from './lock.js';
import { createBatcher, createMutex, createScheduler, type Outcome } from './serial.js';
import { openRunsFile, type RunsFile } from './store.js';
import { checkDuplicates, configuration, parseRuns, type NewRun, type RecordedRun, type RunSchema } from './validate.js';

/** What the engine needs (engine.ts), and what the campaign adds around it. */
export interface CampaignOptions extends EngineConfig {
  /** Runs the page suggests at once, and GET /suggest's default. */
  batch: number;
  /** The campaign's total budget (all groups), or null for none. */
  budget: number | null;
  leaseSeconds: number;
  /** Whether writes need a token (the page then asks for it). */
  auth: boolean;
  /** Where problems that fail no request are said (stderr). */
  warn?: (message: string) => void;
}

export type ChangeKind = 'runs' | 'pending' | 'history' | 'reload' | 'start';

export interface Change {
  version: number;
  kind: ChangeKind;
}

export interface BudgetView {
  total: number | null;
  spent: number;
  pending: number;
  left: number | null;
  /** Runs whose cost the task's cost expression cannot give (it reads columns other than the inputs). */
  unknownCost: number;
}

export interface RunView {
  /** Data row, 1-based, of the observed file. */
  row: number;
  group: string;
  features: Record<string, number>;
  targets: Record<string, number>;
  cost: number | null;
  inPool: boolean;
}

export interface CampaignView {
  version: number;
  task: { name: string; description: string; features: string[]; targets: string[]; group: string | null; cost: string };
  law: string;
  method: SuggestMethod;
  runsFile: string;
  batch: number;
  stopBelow: number | null;
  /** Every group's forecast is below stopBelow. */
  stop: boolean;
  leaseSeconds: number;
  auth: boolean;
  budget: BudgetView;
  pending: Lease[];
  runs: RunView[];
  groups: GroupView[];
}

export interface TellAnswer {
  version: number;
  accepted: number;
  /** Data rows (1-based) of the observed file the runs were written to. */
  rows: number[];
  released: Lease[];
  notes: string[];
}

export interface SuggestQuery {
  group?: string;
  batch?: number;
  budget?: number;
}

export interface Campaign {
  readonly task: TaskSpec;
  readonly data: PracticeData;
  readonly runsFile: string;
  /** What opening the campaign did that the user should hear: a lock taken over, a file created. */
  readonly notes: readonly string[];
  version(): number;
  tell(body: string, contentType: string | undefined, options?: { replicates?: boolean }): Promise<TellAnswer>;
  lease(body: unknown): Promise<{ version: number; leases: Lease[]; note: string | null; stop?: boolean | null; uncertainty?: number | null }>;
  release(id: string): Promise<{ version: number; released: Lease }>;
  pending(): { version: number; pending: Lease[] };
  suggest(
    query: SuggestQuery,
  ): Promise<
    SuggestAnswer & { version: number; group: string; batch: number; budget: number | null; stop: boolean | null; uncertainty: number | null; pending: number }
  >;
  forecast(group?: string): Promise<{
    version: number;
    group: string;
    law: string;
    runs: number;
    forecast: GroupView['forecast'];
    fit: GroupView['fit'];
    lawFits: GroupView['lawFits'];
    convergence: GroupView['convergence'];
    note: string | null;
  }>;
  view(): Promise<CampaignView>;
  figures(): Promise<{ version: number; groups: (GroupFigures & { group: string })[] }>;
  onChange(listener: (c: Change) => void): () => void;
  /** Waits for the writes under way, stops the compute thread and releases the lock. */
  close(): Promise<void>;
  /** The lock only, at once (a second Ctrl-C, process exit). */
  releaseLock(): void;
  /** Writes the server's URL into the lock, for the message a second server prints. */
  setUrl(url: string): void;
}

/** At most 30 days: a longer lease is a job that is not coming back. */
const MAX_LEASE_SECONDS = 30 * 86400;
const MAX_BATCH = 1000;
const EXPIRY_CHECK_MS = 1000;

function pickGroup(data: PracticeData, name: string | undefined): PracticeGroup {
  if (name === undefined) return data.groups[0];
  const g = data.groups.find((x) => x.name === name);
  if (!g) throw badRequest(`group '${name}' is not a group of this task (groups with candidates and targets: ${data.groups.map((x) => x.name).join(', ')})`);
  return g;
}

/** Per pool row of each group: the row's place (group, index), for leases by pool row. */
function poolRows(data: PracticeData): Map<number, { group: PracticeGroup; index: number }> {
  const out = new Map<number, { group: PracticeGroup; index: number }>();
  for (const g of data.groups) g.pool.rows.forEach((row, index) => out.set(row, { group: g, index }));
  return out;
}

function asObserved(task: TaskSpec, runs: readonly { group: string; x: ArrayLike<number> }[], file: string): ObservedRuns {
  return {
    file,
    group: runs.map((r) => r.group),
    rows: runs.map((_, i) => i),
    n: runs.length,
    X: task.features.map((_, f) => Float64Array.from(runs, (r) => r.x[f])),
    y: new Float64Array(0),
  };
}

export async function openCampaign(options: CampaignOptions): Promise<Campaign> {
  const task = loadTask(options.taskFile);
  const lawId = options.lawId ?? Object.keys(task.laws)[0];
  if (!(lawId in task.laws)) throw new ServeError(`--law ${lawId}: ${task.name} has no such law; its laws are ${Object.keys(task.laws).join(', ')}`);
  const data = await loadPracticeData(task, { dataDir: options.dataDir });
  const runsFile = path.resolve(options.runsFile);
  const lock: HeldLock = acquireLock(runsFile);
  try {
    return await open(options, task, data, runsFile, lock, lawId);
  } catch (e) {
    lock.release();
    throw e;
  }
}

async function open(options: CampaignOptions, task: TaskSpec, data: PracticeData, runsFile: string, lock: HeldLock, lawId: string): Promise<Campaign> {
  const notes: string[] = [];
  if (lock.tookOverFrom) {
    notes.push(`took over ${path.basename(lock.file)} from process ${lock.tookOverFrom.pid}, which is no longer running (a server that was killed)`);
  }
  const store: RunsFile = await openRunsFile(task, runsFile);
  notes.push(...store.notes);
  const fileName = path.basename(runsFile);
  const pendingFile = pendingFileOf(runsFile);
  const byRow = poolRows(data);
  const same = new Map(data.groups.map((g) => [g.name, sameConfiguration(g.pool)]));
  const schema = (): RunSchema => ({
    fileName,
    features: task.features,
    targets: task.targets,
    group: task.group,
    groups: data.groups.map((g) => g.name),
    columns: store.columns,
  });

  // ── observed runs: which pool rows they fill, and what they cost ──
  let generation = 0;
  let derived: { version: number; inPool: boolean[]; cost: number[]; runIndices: Map<string, Set<number>> } | null = null;
  const derive = () => {
    if (derived?.version === version) return derived;
    const inPool = new Array<boolean>(store.runs.length).fill(false);
    const cost = new Array<number>(store.runs.length).fill(NaN);
    const runIndices = new Map<string, Set<number>>();
    for (const g of data.groups) {
      const mine = store.runs.map((r, i) => ({ r, i })).filter(({ r }) => r.group === g.name);
      const obs = asObserved(
        task,
        mine.map(({ r }) => r),
        runsFile,
      );
      const match = matchToPool(obs, g.pool);
      const c = observedCosts(task, obs.X, match, g.pool.cost);
      const filled = new Set<number>();
      mine.forEach(({ i }, k) => {
        inPool[i] = match[k] >= 0;
        cost[i] = c[k];
        if (match[k] >= 0) for (const q of same.get(g.name)![match[k]]) filled.add(q);
      });
      runIndices.set(g.name, filled);
    }
    derived = { version, inPool, cost, runIndices };
    return derived;
  };

  // ── the pending book and the version ──
  const saved = readPending(pendingFile);
  let version = Math.max(saved?.version ?? 0, store.runs.length) + 1;
  const book = createLeaseBook(
    (saved?.leases ?? []).filter((l) => {
      const at = byRow.get(l.row);
      return at !== undefined && at.group.name === l.group && at.index === l.index;
    }),
  );
  {
    const filled = derive().runIndices;
    const expired = book.expire(Date.now());
    const told = book.releaseWhere((l) => filled.get(l.group)?.has(l.index) ?? false);
    const left = book.list().length;
    if (expired.length) notes.push(`${expired.length} pending run${expired.length === 1 ? '' : 's'} expired while the server was stopped`);
    if (told.length) notes.push(`${told.length} pending run${told.length === 1 ? ' was' : 's were'} told while the server was stopped`);
    if (left) notes.push(`${left} run${left === 1 ? ' is' : 's are'} still pending (${path.basename(pendingFile)})`);
  }

  const listeners = new Set<(c: Change) => void>();
  const mutex = createMutex();
  const scheduler = createScheduler();
  const computer: Computer = createComputer({
    taskFile: task.file,
    dataDir: options.dataDir,
    lawId,
    seed: options.seed,
    restarts: options.restarts,
    loss: options.loss,
    fitter: options.fitter,
    noiseSd: options.noiseSd,
    method: options.method,
    stopBelow: options.stopBelow,
    historyCap: options.historyCap,
    runsFile,
  });
  let historyTick = 0;
  let closed = false;

  const persist = () => writePending(pendingFile, { version, leases: [...book.list()] });
  const changed = (kind: ChangeKind) => {
    version += 1;
    for (const l of listeners) l({ version, kind });
    refreshSoon();
  };
  const snapshot = (): RunsSnapshot => ({ generation, runs: store.runs });
  const pendingRefs = (): PendingRef[] => book.list().map((l) => ({ group: l.group, index: l.index }));

  const budget = (): BudgetView => {
    const d = derive();
    let spent = 0;
    let unknownCost = 0;
    for (const c of d.cost) {
      if (Number.isFinite(c)) spent += c;
      else unknownCost++;
    }
    const pending = book.list().reduce((s, l) => s + l.cost, 0);
    return { total: options.budget, spent, pending, left: options.budget === null ? null : Math.max(0, options.budget - spent - pending), unknownCost };
  };

  // ── questions: computed from the state when their turn comes, cached per version ──
  const cache = new Map<string, { stamp: string; value: Promise<unknown> }>();
  const cached = <T>(key: string, compute: () => Promise<T>): Promise<T> => {
    const stamp = `${version}:${historyTick}`;
    const hit = cache.get(key);
    if (hit && hit.stamp === stamp) return hit.value as Promise<T>;
    const value = scheduler.submit(key, compute);
    cache.set(key, { stamp, value });
    // a failed answer is not kept: the next question computes again
    value.catch(() => {
      if (cache.get(key)?.value === value) cache.delete(key);
    });
    return value;
  };

  /** The observed runs as the page lists them. */
  const runViews = (): RunView[] => {
    const d = derive();
    return store.runs.map((r, i) => ({
      row: r.row + 1,
      group: r.group,
      features: Object.fromEntries(task.features.map((f, k) => [f, r.x[k]])),
      targets: Object.fromEntries(task.targets.map((t, k) => [t, r.y[k]])),
      cost: Number.isFinite(d.cost[i]) ? d.cost[i] : null,
      inPool: d.inPool[i],
    }));
  };

  // the runs, leases and budget are taken with the snapshot, so that an answer is one version throughout
  const computeView = (figures: boolean) => {
    const drawn = cache.get('view:true');
    if (!figures && drawn && drawn.stamp === `${version}:${historyTick}`) return drawn.value as ReturnType<typeof draw>;
    return cached(`view:${figures}`, () => draw(figures));
  };
  const draw = async (figures: boolean) => {
    const at = version;
    const money = budget();
    const state = { runs: runViews(), pending: [...book.list()], budget: money };
    const left = money.left ?? Infinity;
    const budgets = Object.fromEntries(data.groups.map((g) => [g.name, left]));
    const answer = await computer.call('view', { ...snapshot(), pending: pendingRefs(), batch: options.batch, budgets, figures, stopBelow: options.stopBelow });
    return { version: at, ...answer, state };
  };

  let backfilling = false;
  function backfillHistory(): void {
    if (backfilling || closed) return;
    backfilling = true;
    scheduler.background(async () => {
      backfilling = false;
      if (closed) return;
      const missing = await computer.call('backfill', snapshot());
      historyTick++;
      for (const l of listeners) l({ version, kind: 'history' });
      if (missing > 0) backfillHistory();
    });
  }

  // after a change the page's figures are recomputed at once, so that they are ready when asked
  let refreshQueued = false;
  function refreshSoon(): void {
    // only for a page that is open (an event stream listens): an API-only campaign draws nothing
    if (refreshQueued || closed || listeners.size === 0) return;
    refreshQueued = true;
    setImmediate(() => {
      refreshQueued = false;
      if (!closed) computeView(true).catch(() => undefined);
    });
  }

  // ── tells: validated whole, checked against the runs under the mutex, written together ──
  interface TellItem {
    parsed: { runs: NewRun[]; notes: string[] };
    replicates: boolean;
  }
  const commitTells = createBatcher<TellItem, TellAnswer>(mutex, async (items) => {
    if (store.changedOnDisk()) {
      await store.reload();
      generation++;
      options.warn?.(`${fileName} was changed by something else; the server read it again`);
      changed('reload');
    }
    const outcomes: Outcome<TellAnswer>[] = [];
    const accepted: { item: TellItem; at: number }[] = [];
    const toWrite: NewRun[] = [];
    for (const item of items) {
      try {
        const recorded: RecordedRun[] = [...store.runs, ...toWrite.map((r, i) => ({ group: r.group, x: r.x, y: r.y, row: store.runs.length + i }))];
        checkDuplicates(item.parsed.runs, recorded, schema(), item.replicates);
        accepted.push({ item, at: outcomes.length });
        toWrite.push(...item.parsed.runs);
        outcomes.push({ ok: true, value: null as unknown as TellAnswer });
      } catch (e) {
        outcomes.push({ ok: false, error: e });
      }
    }
    if (toWrite.length === 0) return outcomes;
    const added = await store.append(toWrite);
    derived = null;
    // the runs are on disk: from here on they count, whatever else happens
    let offset = 0;
    const answers: { at: number; value: Omit<TellAnswer, 'version'> }[] = [];
    for (const { item, at } of accepted) {
      const rows = added.slice(offset, offset + item.parsed.runs.length).map((r) => r.row + 1);
      offset += item.parsed.runs.length;
      const released: Lease[] = [];
      const notesHere = [...item.parsed.notes];
      for (const run of item.parsed.runs) {
        const g = data.groups.find((x) => x.name === run.group)!;
        const match = matchToPool(asObserved(task, [run], runsFile), g.pool)[0];
        if (match < 0) {
          notesHere.push(
            `${run.label} (${configuration(schema(), run)}) is not a candidate of the pool: recorded, and it informs the fit, but no pool row is marked run`,
          );
          continue;
        }
        const configs = new Set(same.get(g.name)![match]);
        released.push(...book.releaseWhere((l) => l.group === g.name && configs.has(l.index)));
      }
      answers.push({ at, value: { accepted: rows.length, rows, released, notes: notesHere } });
    }
    changed('runs');
    for (const { at, value } of answers) outcomes[at] = { ok: true, value: { version, ...value } };
    // the runs are safe whatever happens here: a pending book that cannot be saved is said, not failed
    await persist().catch((e: unknown) => options.warn?.(`cannot save ${path.basename(pendingFile)}: ${(e as Error).message}`));
    return outcomes;
  });

  // ── leases ──
  const leaseSecondsOf = (v: unknown): number => {
    if (v === undefined) return options.leaseSeconds;
    const s = typeof v === 'number' ? (v > 0 ? v : null) : typeof v === 'string' ? parseDuration(v) : null;
    if (s === null || !Number.isFinite(s))
      throw badRequest(`lease: expected seconds (a number > 0) or a duration such as "90s", "30m", "2h", found ${JSON.stringify(v)}`);
    if (s > MAX_LEASE_SECONDS) throw badRequest(`lease: ${s} s is over the 30-day limit`);
    return s;
  };

  const expiryTimer = setInterval(() => {
    const gone = book.expire(Date.now());
    if (gone.length === 0) return;
    changed('pending');
    void mutex.run(persist).catch(() => undefined);
  }, EXPIRY_CHECK_MS);
  expiryTimer.unref();

  const campaign: Campaign = {
    task,
    data,
    runsFile,
    notes,
    version: () => version,

    async tell(body, contentType, opts = {}) {
      if (closed) throw new HttpError(503, 'the server is stopping');
      const parsed = parseRuns(body, contentType, schema());
      return commitTells({ parsed, replicates: opts.replicates ?? false });
    },

    async lease(body) {
      if (closed) throw new HttpError(503, 'the server is stopping');
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw badRequest('expected a JSON object such as { "batch": 1, "worker": "job-17" }');
      const b = body as Record<string, unknown>;
      const known = ['batch', 'budget', 'group', 'worker', 'lease', 'rows'];
      const unknown = Object.keys(b).filter((k) => !known.includes(k));
      if (unknown.length) throw badRequest(`unknown field ${unknown.map((k) => `'${k}'`).join(', ')} (fields: ${known.join(', ')})`);
      const seconds = leaseSecondsOf(b.lease);
      if (b.worker !== undefined && (typeof b.worker !== 'string' || b.worker.length > 200))
        throw badRequest('worker: expected text (at most 200 characters) naming the job');
      const worker = (b.worker as string | undefined) ?? null;
      if (b.rows !== undefined) {
        if (!Array.isArray(b.rows) || b.rows.length === 0 || !b.rows.every((r) => Number.isSafeInteger(r))) {
          throw badRequest('rows: expected a non-empty list of pool rows (0-based, as suggestions give them)');
        }
        if (b.batch !== undefined || b.budget !== undefined || b.group !== undefined)
          throw badRequest('rows names the runs itself: give rows, or batch/budget/group, not both');
        const rows = b.rows as number[];
        return mutex.run(async () => {
          const filled = derive().runIndices;
          rows.forEach((row, i) => {
            const at = byRow.get(row);
            if (!at)
              throw badRequest(
                `rows[${i}]: ${row} is not a row of the candidate pool (rows 0 to ${data.groups.reduce((s, g) => s + g.pool.n, 0) - 1}, with targets)`,
              );
            if (rows.indexOf(row) !== i) throw badRequest(`rows[${i}]: row ${row} is listed twice`);
            if (filled.get(at.group.name)?.has(at.index)) throw new HttpError(409, `rows[${i}]: pool row ${row} has already been run`);
            const held = book.list().find((l) => l.group === at.group.name && same.get(l.group)![l.index].includes(at.index));
            if (held)
              throw new HttpError(
                409,
                `rows[${i}]: pool row ${row} is already pending (lease ${held.id}${held.worker ? `, ${held.worker}` : ''}, until ${held.expires})`,
              );
          });
          const now = Date.now();
          const leases = rows.map((row) => {
            const { group, index } = byRow.get(row)!;
            const features = Object.fromEntries(task.features.map((f, k) => [f, group.pool.X[k][index]]));
            return book.add({ group: group.name, index, row, features, cost: group.pool.cost[index], worker }, seconds, now);
          });
          changed('pending');
          await persist();
          return { version, leases, note: null };
        });
      }
      const batch = b.batch ?? 1;
      if (!Number.isSafeInteger(batch) || (batch as number) < 1 || (batch as number) > MAX_BATCH)
        throw badRequest(`batch: expected a whole number from 1 to ${MAX_BATCH}, found ${JSON.stringify(b.batch)}`);
      if (b.budget !== undefined && !(typeof b.budget === 'number' && b.budget >= 0))
        throw badRequest(`budget: expected a number ≥ 0, found ${JSON.stringify(b.budget)}`);
      if (b.group !== undefined && typeof b.group !== 'string') throw badRequest('group: expected a group name');
      const g = pickGroup(data, b.group as string | undefined);
      // one lease request at a time, each computed with the leases before it: two askers never get the same row
      const take = () =>
        scheduler.submit(null, async () => {
          const left = (b.budget as number | undefined) ?? budget().left ?? Infinity;
          const answer = await computer.call('suggest', { ...snapshot(), pending: pendingRefs(), group: g.name, batch: batch as number, budget: left });
          // the forecast is tight enough: hand out nothing more (explicit rows can still be leased)
          if (answer.stop === true) {
            const note = `the stop rule is met (uncertainty ${figure(answer.uncertainty ?? NaN)} < ${options.stopBelow}): no run is handed out`;
            return { leases: [], lost: 0, note, suggestions: [], stop: true, uncertainty: answer.uncertainty };
          }
          // no await from this check to the leases: a tell or an explicit lease that came meanwhile is seen
          const filled = derive().runIndices.get(g.name) ?? new Set<number>();
          const now = Date.now();
          const leases: Lease[] = [];
          let lost = 0;
          for (const s of answer.suggestions) {
            const index = byRow.get(s.row)!.index;
            if (filled.has(index) || book.list().some((l) => l.group === g.name && same.get(g.name)![l.index].includes(index))) {
              lost++;
              continue;
            }
            leases.push(book.add({ group: g.name, index, row: s.row, features: s.features, cost: s.cost, worker }, seconds, now));
          }
          if (leases.length) {
            changed('pending');
            await mutex.run(persist);
          }
          return { leases, lost, note: answer.note, suggestions: answer.suggestions, stop: answer.stop, uncertainty: answer.uncertainty };
        });
      // a row taken by someone else while this one was computed: ask again (the state has moved on)
      for (let attempt = 1; ; attempt++) {
        const got = await take();
        if (got.lost > 0 && got.leases.length === 0 && attempt < 4) continue;
        const reasons = new Map(got.suggestions.map((s) => [s.row, s.reason]));
        const note =
          got.lost > 0 ? `${got.lost} suggested run${got.lost === 1 ? ' was' : 's were'} taken by another worker meanwhile; ask again for more` : got.note;
        return { version, leases: got.leases.map((l) => ({ ...l, reason: reasons.get(l.row) ?? '' })), note, stop: got.stop, uncertainty: got.uncertainty };
      }
    },

    async release(id) {
      return mutex.run(async () => {
        const gone = book.release(id);
        if (!gone) throw new HttpError(404, `no pending run with lease '${id}': it was told, released, or it expired`);
        changed('pending');
        await persist();
        return { version, released: gone };
      });
    },

    pending: () => ({ version, pending: [...book.list()] }),

    async suggest(query) {
      const g = pickGroup(data, query.group);
      const batch = query.batch ?? options.batch;
      if (!Number.isSafeInteger(batch) || batch < 1 || batch > MAX_BATCH)
        throw badRequest(`batch: expected a whole number from 1 to ${MAX_BATCH}, found ${batch}`);
      if (query.budget !== undefined && !(query.budget >= 0)) throw badRequest(`budget: expected a number ≥ 0, found ${query.budget}`);
      const key = `suggest:${g.name}:${batch}:${query.budget ?? ''}`;
      const answer = await cached(key, async () => {
        const at = version;
        const left = query.budget ?? budget().left ?? Infinity;
        const a = await computer.call('suggest', { ...snapshot(), pending: pendingRefs(), group: g.name, batch, budget: left });
        return { ...a, version: at, budget: Number.isFinite(left) ? left : null };
      });
      return {
        version: answer.version,
        group: g.name,
        batch,
        budget: answer.budget,
        suggestions: answer.suggestions,
        note: answer.note,
        stop: answer.stop,
        uncertainty: answer.uncertainty,
        pending: book.list().filter((l) => l.group === g.name).length,
      };
    },

    async forecast(group) {
      const g = pickGroup(data, group);
      const views = await computeView(false);
      const v = views.views.find((x) => x.group === g.name)!;
      return {
        version: views.version,
        group: g.name,
        law: v.law,
        runs: v.runs,
        forecast: v.forecast,
        fit: v.fit,
        lawFits: v.lawFits,
        convergence: v.convergence,
        note: v.note,
      };
    },

    async view() {
      const views = await computeView(false);
      backfillHistory();
      return {
        version: views.version,
        task: { name: task.name, description: task.description, features: task.features, targets: task.targets, group: task.group, cost: task.cost },
        law: lawId,
        method: options.method,
        runsFile: fileName,
        batch: options.batch,
        stopBelow: options.stopBelow ?? null,
        stop: views.views.every((v) => v.forecast?.stop === true),
        leaseSeconds: options.leaseSeconds,
        auth: options.auth,
        ...views.state,
        groups: views.views,
      };
    },

    async figures() {
      const answer = await computeView(true);
      return { version: answer.version, groups: answer.views.map((v, i) => ({ group: v.group, ...answer.figures![i] })) };
    },

    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(expiryTimer);
      await mutex.idle();
      await computer.close();
      lock.release();
    },

    releaseLock: () => lock.release(),
    setUrl: (url) => lock.setUrl(url),
  };
  refreshSoon();
  return campaign;
}
