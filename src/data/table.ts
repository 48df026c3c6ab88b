/**
 * Reads a data file (.parquet through hyparquet, .csv through csv-parse) into columns, and takes
 * numeric columns out of it with errors that name the file, row and column. (A column is a
 * Float64Array when every cell is a number, else the cells as text: that is all the tasks need, so
 * no table library, whose import would be most of the CLI's start-up for holding two kinds of array.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { parquetReadObjects } from 'hyparquet';

/** Bad data: names the file and, where known, the row (1-based, header excluded) and column. */
export class DataError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
    readonly row?: number,
    readonly column?: string,
  ) {
    // rows are data rows, 1-based, the header not counted: the one convention of every message
    const where = [row !== undefined ? `data row ${row}` : '', column !== undefined ? `column '${column}'` : ''].filter(Boolean).join(', ');
    super(`${file}${where ? ` (${where})` : ''}: ${reason}`);
    this.name = 'DataError';
  }
}

export interface DataTable {
  file: string;
  numRows: number;
  columns: string[];
  /** Per column: numbers when every cell is one, else every cell as text. */
  values: Record<string, Float64Array | string[]>;
  /** CSV only: the file line of each data row (1-based), which blank lines skipped make differ from row + 1. */
  lines?: Int32Array;
}

/**
 * A CSV cell as a number: decimal notation only. JavaScript's Number() also reads '0x10' as 16 and
 * '0b11' as 3, which in a file of measurements is a typo rather than a value.
 */
function decimal(v: string): number {
  return /^[+-]?0[xXbBoO]/.test(v) ? NaN : Number(v);
}

type Cell = string | number | bigint | boolean | null | undefined;

function toColumn(values: Cell[]): Float64Array | string[] {
  const numeric = values.every((v) => typeof v === 'number' || typeof v === 'bigint');
  if (numeric) return Float64Array.from(values, (v) => Number(v));
  return values.map((v) => (v === null || v === undefined ? '' : String(v)));
}

function fromRecords(file: string, header: string[], records: Cell[][]): DataTable {
  const seen = new Set<string>();
  for (const h of header) {
    if (seen.has(h)) throw new DataError(file, `column '${h}' appears twice in the header`);
    seen.add(h);
  }
  const values: Record<string, Float64Array | string[]> = {};
  header.forEach((h, c) => {
    values[h] = toColumn(records.map((r) => r[c]));
  });
  return { file, numRows: records.length, columns: header, values };
}

async function readParquet(file: string): Promise<DataTable> {
  const buf = fs.readFileSync(file);
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
  let rows: Record<string, Cell>[];
  try {
    rows = (await parquetReadObjects({ file: ab })) as Record<string, Cell>[];
  } catch (e) {
    throw new DataError(file, `not a readable parquet file (${(e as Error).message})`);
  }
  const header = rows.length ? Object.keys(rows[0]) : [];
  return fromRecords(
    file,
    header,
    rows.map((r) => header.map((h) => r[h])),
  );
}

function readCsv(file: string): DataTable {
  const text = fs.readFileSync(file, 'utf8');
  let records: string[][];
  let lines: Int32Array;
  try {
    const parsed = parseCsv(text, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: false, info: true }) as unknown as {
      record: string[];
      info: { lines: number };
    }[];
    records = parsed.map((p) => p.record);
    lines = Int32Array.from(parsed.slice(1), (p) => p.info.lines);
  } catch (e) {
    // csv-parse counts file lines; say the data row, as every other message does
    const line = (e as { lines?: unknown }).lines;
    const reason = (e as Error).message.replace(/ on line \d+$/, '');
    if (typeof line === 'number' && line > 1) throw new DataError(file, `not valid CSV at data row ${line - 1} (line ${line} of the file): ${reason}`);
    throw new DataError(file, `not valid CSV (${(e as Error).message})`);
  }
  if (records.length === 0) throw new DataError(file, 'the file is empty (a header row is needed)');
  const [header, ...body] = records;
  // numeric-looking cells become numbers; the rest stay text so that errors can quote them
  const cells: Cell[][] = body.map((r) => r.map((v) => (v !== '' && Number.isFinite(decimal(v)) ? decimal(v) : v)));
  return { ...fromRecords(file, header, cells), lines };
}

export async function readTable(file: string): Promise<DataTable> {
  if (!fs.existsSync(file)) throw new DataError(file, 'file not found');
  const ext = path.extname(file).toLowerCase();
  if (ext === '.parquet') return readParquet(file);
  if (ext === '.csv') return readCsv(file);
  throw new DataError(file, `unsupported file type '${ext || '(none)'}'; use .csv or .parquet`);
}

/** Every cell of a column as a number; a missing column or a non-numeric cell is an error. */
export function numericColumn(data: DataTable, name: string, rows?: readonly number[]): Float64Array {
  if (!data.columns.includes(name)) {
    throw new DataError(data.file, `no column '${name}' (columns: ${data.columns.join(', ')})`, undefined, name);
  }
  const col = data.values[name];
  const pick = rows ?? Array.from({ length: data.numRows }, (_, i) => i);
  const out = new Float64Array(pick.length);
  pick.forEach((r, i) => {
    const v: unknown = col[r];
    // a column with one bad cell is stored as text; its good cells still count as numbers
    const x = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'string' && v.trim() !== '' ? decimal(v.trim()) : NaN;
    if (!Number.isFinite(x)) {
      const shown = v === '' || v === null || v === undefined ? 'an empty cell' : `'${String(v)}'`;
      // blank lines are skipped, so the data row alone would not find the line
      const line = data.lines?.[r];
      const at = line !== undefined && line !== r + 2 ? ` (line ${line} of the file)` : '';
      throw new DataError(data.file, `expected a finite number, found ${shown}${at}`, r + 1, name);
    }
    out[i] = x;
  });
  return out;
}

/** A column's values as text (for group labels). */
export function textColumn(data: DataTable, name: string): string[] {
  if (!data.columns.includes(name)) {
    throw new DataError(data.file, `no column '${name}' (columns: ${data.columns.join(', ')})`, undefined, name);
  }
  const col = data.values[name];
  return Array.from({ length: data.numRows }, (_, r) => String(col[r] ?? ''));
}
