/** Worker-thread entry of the stress suite: runs one unit. Everything it needs travels with the job. */
import { runStressUnit, type StressJob, type StressRecord } from './unit.js';

export default function runJob(job: StressJob): StressRecord {
  return runStressUnit(job);
}
