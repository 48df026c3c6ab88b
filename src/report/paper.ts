/** The paper's Table 2 (arXiv 2604.22753), carried with the package: published figures. */
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../data/locate.js';

export interface Cell {
  mean: number;
  std: number;
}

export interface PaperTable {
  budget_levels: Record<string, number[]>;
  results: Record<string, Record<string, Cell[] | Cell>>;
}

export function readPaperTable(): PaperTable {
  return JSON.parse(fs.readFileSync(path.join(packageRoot(), 'reference', 'table2.json'), 'utf8')) as PaperTable;
}

/** The paper's figure for a task, method and level index (all-data is one figure for every level). */
export function paperCell(table: PaperTable, task: string, method: string, level: number): Cell | null {
  const entry = table.results[task]?.[method];
  if (!entry) return null;
  return Array.isArray(entry) ? (entry[level] ?? null) : entry;
}
