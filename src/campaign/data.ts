/**
 * A task's candidate pool and target region as the practitioner workflow needs them: the
 * benchmark loader with target values optional (a missing target column or cell becomes NaN).
 */
import { loadTaskData, SINGLE_GROUP, type GroupData, type Split, type TaskData } from '../data/dataset.js';
import type { LocateOptions } from '../data/locate.js';
import type { TaskSpec } from '../data/task.js';

export { SINGLE_GROUP };
export type PracticeSplit = Split;
export type PracticeGroup = GroupData;
export type PracticeData = TaskData;

export function loadPracticeData(task: TaskSpec, options: LocateOptions = {}): Promise<PracticeData> {
  return loadTaskData(task, { ...options, optionalTargets: true });
}
