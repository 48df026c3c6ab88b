/** Worker-thread entry: one seed of a halving experiment. Everything it needs travels with the job. */
import { STRATEGIES } from './strategies/index.js';
import { runHalvingUnit, type CurveSource, type HalvingConfig, type HalvingRecord } from './unit.js';

export interface HalvingJob {
  source: CurveSource;
  strategy: string;
  config: HalvingConfig;
  repeat: number;
}

export default function runHalvingJob(job: HalvingJob): HalvingRecord {
  return runHalvingUnit(job.source, STRATEGIES[job.strategy], job.config, job.repeat);
}
