/** Worker-thread entry: runs one unit. Everything it needs travels with the job. */
import type { TaskData } from '../data/dataset.js';
import { runUnit, type UnitConfig, type UnitRecord } from './unit.js';

export interface UnitJob {
  data: TaskData;
  law: string;
  repeat: number;
  config: UnitConfig;
}

export default function runJob(job: UnitJob): UnitRecord {
  return runUnit(job.data, job.law, job.repeat, job.config);
}
