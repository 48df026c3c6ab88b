/**
 * The CSV reader over generated files (fast-check): every finite number comes back exactly, however
 * the file is laid out, and every bad cell or ragged line is named by its data row (1-based, header
 * not counted) and column.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, numericColumn, readTable } from './table.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'active-sl-csv-property-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let files = 0;
function write(text: string): string {
  const file = path.join(dir, `t${files++}.csv`);
  fs.writeFileSync(file, text);
  return file;
}

/** Finite doubles, written the ways people and programs write them. */
const cellValue = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 });
const spelling = fc.constantFrom('plain', 'exponent', 'fixed');
function spell(v: number, how: string): string {
  if (how === 'exponent') return v.toExponential();
  if (how === 'fixed' && Math.abs(v) < 1e15 && Number(v.toFixed(20)) === v) return v.toFixed(20).replace(/0+$/, '0');
  return String(v);
}
const layout = fc.record({ crlf: fc.boolean(), bom: fc.boolean(), pad: fc.constantFrom('', ' ', '  '), finalNewline: fc.boolean(), blankLines: fc.boolean() });
const table = fc.integer({ min: 1, max: 5 }).chain((cols) =>
  fc.record({
    header: fc.uniqueArray(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,7}$/), { minLength: cols, maxLength: cols }),
    rows: fc.array(fc.array(fc.tuple(cellValue, spelling), { minLength: cols, maxLength: cols }), { minLength: 1, maxLength: 12 }),
  }),
);

function render(header: string[], lines: string[][], l: { crlf: boolean; bom: boolean; pad: string; finalNewline: boolean; blankLines: boolean }): string {
  const eol = l.crlf ? '\r\n' : '\n';
  const body = [header, ...lines].map((cells) => cells.map((c) => `${l.pad}${c}${l.pad}`).join(','));
  const withBlanks = l.blankLines ? body.flatMap((line, i) => (i > 0 && i % 3 === 0 ? ['', line] : [line])) : body;
  return `${l.bom ? '\uFEFF' : ''}${withBlanks.join(eol)}${l.finalNewline ? eol : ''}`;
}

describe('readTable on CSV files', () => {
  it('reads every finite number back exactly, whatever the spelling, padding, line endings, BOM and blank lines', async () => {
    await fc.assert(
      fc.asyncProperty(table, layout, async ({ header, rows }, l) => {
        const file = write(
          render(
            header,
            rows.map((r) => r.map(([v, how]) => spell(v, how))),
            l,
          ),
        );
        const data = await readTable(file);
        expect(data.columns).toEqual(header);
        expect(data.numRows).toBe(rows.length);
        header.forEach((h, c) => {
          const col = numericColumn(data, h);
          // −0 and 0 are one value in a loss table
          expect(Array.from(col, (v) => v + 0)).toEqual(rows.map((r) => r[c][0] + 0));
        });
      }),
      { numRuns: 150 },
    );
  });

  it('a cell that is not a number is named by data row, column and the text found', async () => {
    const junk = fc.constantFrom('ten', 'NaN', 'inf', '1e', '--1', '1,5', 'n/a', '0x', '.');
    await fc.assert(
      fc.asyncProperty(table, fc.nat(), fc.nat(), junk, async ({ header, rows }, rowPick, colPick, bad) => {
        const r = rowPick % rows.length;
        const c = colPick % header.length;
        const cells = rows.map((row) => row.map(([v]) => String(v)));
        cells[r][c] = bad.includes(',') ? `"${bad}"` : bad;
        const file = write(render(header, cells, { crlf: false, bom: false, pad: '', finalNewline: true, blankLines: false }));
        const data = await readTable(file);
        let error: unknown;
        try {
          numericColumn(data, header[c]);
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(DataError);
        expect((error as DataError).row).toBe(r + 1);
        expect((error as DataError).column).toBe(header[c]);
        expect((error as Error).message).toContain(`data row ${r + 1}, column '${header[c]}'): expected a finite number, found '${bad}'`);
      }),
      { numRuns: 100 },
    );
  });

  it('a line with a cell too few or too many is named by its data row and its line in the file', async () => {
    await fc.assert(
      fc.asyncProperty(table, fc.nat(), fc.boolean(), async ({ header, rows }, rowPick, extra) => {
        const r = rowPick % rows.length;
        const cells = rows.map((row) => row.map(([v]) => String(v)));
        if (extra) cells[r].push('1');
        else if (cells[r].length > 1) cells[r].pop();
        else return; // a one-column file has no line with a cell too few that is not empty
        const file = write(render(header, cells, { crlf: false, bom: false, pad: '', finalNewline: true, blankLines: false }));
        await expect(readTable(file)).rejects.toThrow(new RegExp(`: not valid CSV at data row ${r + 1} \\(line ${r + 2} of the file\\): `));
      }),
      { numRuns: 100 },
    );
  });
});
