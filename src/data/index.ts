/** `active-sl/data`: task files, the data they point to (CSV or Parquet), where it is looked for, and the ScaleBench download. */
export { builtinTaskNames, lawOf, loadTask, parseTask, readTaskFile, TaskError } from './task.js';
export type { LawDefinition, TaskSpec } from './task.js';
export { loadTaskData, computeCosts } from './dataset.js';
export type { GroupData, Split, TaskData } from './dataset.js';
export { DataError, readTable, numericColumn } from './table.js';
export { dataRoots } from './locate.js';
export { fetchData, FetchDataError, DEFAULT_DATA_URL } from './fetch.js';
