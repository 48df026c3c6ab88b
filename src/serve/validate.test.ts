import { describe, expect, it } from 'vitest';
import { HttpError } from './errors.js';
import { checkDuplicates, parseRuns, showNumber, type RecordedRun, type RunSchema } from './validate.js';

const SCHEMA: RunSchema = {
  fileName: 'runs.csv',
  features: ['N', 'D'],
  targets: ['loss'],
  group: null,
  groups: ['all_data'],
  columns: ['N', 'D', 'loss', 'run_id'],
};
const GROUPED: RunSchema = { ...SCHEMA, group: 'corpus', groups: ['c4', 'pile'], columns: ['corpus', 'N', 'D', 'loss'] };
const JSON_TYPE = 'application/json';

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(HttpError);
    expect((e as HttpError).status).toBe(400);
    return (e as Error).message;
  }
  throw new Error('expected a 400');
}

describe('parseRuns', () => {
  it('reads one run, a list, or { runs }, with the file columns it fills', () => {
    const one = parseRuns('{"N":1e8,"D":2e9,"loss":3.1,"run_id":"job-7"}', JSON_TYPE, SCHEMA);
    expect(one.runs).toHaveLength(1);
    expect(one.runs[0]).toMatchObject({ label: 'run', group: 'all_data', x: [1e8, 2e9], y: [3.1] });
    expect(one.runs[0].cells).toEqual({ N: '100000000', D: '2000000000', loss: '3.1', run_id: 'job-7' });
    expect(parseRuns('[{"N":1,"D":2,"loss":3},{"N":2,"D":2,"loss":3}]', 'application/json; charset=utf-8', SCHEMA).runs.map((r) => r.label)).toEqual([
      'runs[0]',
      'runs[1]',
    ]);
    expect(parseRuns('{"runs":[{"N":1,"D":2,"loss":3}]}', JSON_TYPE, SCHEMA).runs[0].label).toBe('runs[0]');
  });

  it('names the run and the field of a missing or non-numeric value', () => {
    expect(refusal(() => parseRuns('[{"N":1,"D":2,"loss":3},{"N":1,"loss":3}]', JSON_TYPE, SCHEMA))).toBe("runs[1]: no 'D'; every run needs N, D, loss");
    expect(refusal(() => parseRuns('{"N":"1e8","D":2,"loss":3}', JSON_TYPE, SCHEMA))).toBe('run.N: expected a finite number, found the text "1e8"');
    expect(refusal(() => parseRuns('{"N":1,"D":2,"loss":null}', JSON_TYPE, SCHEMA))).toBe('run.loss: expected a finite number, found null');
    expect(refusal(() => parseRuns('{"N":1,"D":2,"loss":3,"run_id":"a\\nb"}', JSON_TYPE, SCHEMA))).toMatch(/run, field 'run_id': text with a line break/);
  });

  it('refuses invalid JSON, an empty list, other shapes and other content types', () => {
    expect(refusal(() => parseRuns('{"N":1,', JSON_TYPE, SCHEMA))).toMatch(/^the body is not valid JSON \(/);
    expect(refusal(() => parseRuns('[]', JSON_TYPE, SCHEMA))).toBe('no runs in the body');
    expect(refusal(() => parseRuns('[3]', JSON_TYPE, SCHEMA))).toMatch(/^runs\[0\]: expected a run object/);
    expect(refusal(() => parseRuns('{"runs":{}}', JSON_TYPE, SCHEMA))).toMatch(/^runs: expected a list of runs/);
    expect(refusal(() => parseRuns('N=1', 'application/x-www-form-urlencoded', SCHEMA))).toMatch(/send runs as application\/json or text\/csv/);
  });

  it('notes fields the file has no column for', () => {
    const r = parseRuns('{"N":1,"D":2,"loss":3,"seed":4}', JSON_TYPE, SCHEMA);
    expect(r.notes).toEqual(["ignored 'seed': runs.csv has no such column (its columns: N, D, loss, run_id)"]);
    expect(r.runs[0].cells.seed).toBeUndefined();
  });

  it('needs a known group when the task has groups', () => {
    expect(parseRuns('{"corpus":"pile","N":1,"D":2,"loss":3}', JSON_TYPE, GROUPED).runs[0].group).toBe('pile');
    expect(refusal(() => parseRuns('{"N":1,"D":2,"loss":3}', JSON_TYPE, GROUPED))).toMatch(
      /^run: no 'corpus'; this task's runs belong to a group \(c4, pile\)/,
    );
    expect(refusal(() => parseRuns('{"corpus":"wiki","N":1,"D":2,"loss":3}', JSON_TYPE, GROUPED))).toMatch(/^run\.corpus: 'wiki' is not a group of this task/);
  });

  it('reads a CSV, naming data rows and columns', () => {
    const r = parseRuns('N,D,loss,run_id\n1e8,2e9,3.1,a\n2e8,2e9,3.0,b\n', 'text/csv', SCHEMA);
    expect(r.runs.map((x) => [x.label, x.x, x.y, x.cells.run_id])).toEqual([
      ['data row 1', [1e8, 2e9], [3.1], 'a'],
      ['data row 2', [2e8, 2e9], [3.0], 'b'],
    ]);
    expect(refusal(() => parseRuns('N,D,loss\n1,2,3\n1,x,3\n', 'text/csv', SCHEMA))).toBe("data row 2, column 'D': expected a finite number, found 'x'");
    expect(refusal(() => parseRuns('N,D,loss\n1,,3\n', 'text/csv', SCHEMA))).toBe("data row 1, column 'D': expected a finite number, found an empty cell");
    expect(refusal(() => parseRuns('N,loss\n1,3\n', 'text/csv', SCHEMA))).toBe("the CSV has no column 'D' (its columns: N, loss)");
    expect(refusal(() => parseRuns('N,D,loss\n', 'text/csv', SCHEMA))).toBe('the CSV has a header only: no runs');
    expect(refusal(() => parseRuns('N,D,loss\n1,2\n', 'text/csv', SCHEMA))).toMatch(/^not valid CSV at data row 1/);
  });
});

describe('checkDuplicates', () => {
  const recorded: RecordedRun[] = [{ group: 'all_data', x: [1e8, 2e9], y: [3.1], row: 4 }];
  const runs = (body: string) => parseRuns(body, JSON_TYPE, SCHEMA).runs;

  it('refuses a run already observed, saying when it was told twice', () => {
    expect(refusal(() => checkDuplicates(runs('{"N":1e8,"D":2e9,"loss":3.1}'), recorded, SCHEMA, false))).toBe(
      'run: N=1e8, D=2e9 is already in runs.csv (data row 5), with the same loss: this run was told before; nothing was written.',
    );
    // the CSV round trip loses the last bits: 1e-9 relative is the same configuration
    expect(refusal(() => checkDuplicates(runs('{"N":100000000.00000001,"D":2e9,"loss":3.3}'), recorded, SCHEMA, false))).toMatch(
      /is already in runs\.csv \(data row 5\); nothing was written\. To record a repeat .* POST \/runs\?replicates=1$/,
    );
  });

  it('refuses a body that repeats itself, and lets replicates through when asked', () => {
    const twice = runs('[{"N":1,"D":2,"loss":3},{"N":1,"D":2,"loss":3.2}]');
    expect(refusal(() => checkDuplicates(twice, [], SCHEMA, false))).toMatch(/^runs\[1\]: repeats runs\[0\] \(N=1, D=2\)/);
    expect(() => checkDuplicates(twice, recorded, SCHEMA, true)).not.toThrow();
    expect(() => checkDuplicates(runs('{"N":1e8,"D":3e9,"loss":3}'), recorded, SCHEMA, false)).not.toThrow();
  });

  it('compares within a group only', () => {
    const grouped = parseRuns('{"corpus":"pile","N":1e8,"D":2e9,"loss":3.1}', JSON_TYPE, GROUPED).runs;
    expect(() => checkDuplicates(grouped, [{ group: 'c4', x: [1e8, 2e9], y: [3.1], row: 0 }], GROUPED, false)).not.toThrow();
  });
});

it('shows numbers exactly, in exponent form when large or small', () => {
  expect([showNumber(1e8), showNumber(386139545.7766496), showNumber(3.25), showNumber(0), showNumber(2e-5)]).toEqual([
    '1e8',
    '3.861395457766496e8',
    '3.25',
    '0',
    '2e-5',
  ]);
});
