/**
 * The exponential-decay time kernel k(t, t') = β^α / (t + t' + β)^α over a set of times, with what
 * its hyperparameter gradient needs, shared by the dense and the shared-grid likelihoods.
 */

/** k at s = t + t′ (β = e^logBeta): what a prediction needs, one pair at a time. */
export function timeKernel(s: number, alphaK: number, logBeta: number): number {
  return Math.exp(alphaK * (logBeta - Math.log(s + Math.exp(logBeta))));
}

/**
 * Fills the symmetric g × g grids over the first g `times` (β = e^logBeta): k, ∂k/∂ln α = k·ln(β/(s+β)) and
 * k·s/(s+β) (for ∂k/∂ln β = α·k·s/(s+β)), with s = t_i + t_j.
 */
export function timeKernelGrid(
  times: ArrayLike<number>,
  alphaK: number,
  logBeta: number,
  k: Float64Array,
  kLog: Float64Array,
  kRatio: Float64Array,
  g: number = times.length,
): void {
  const betaK = Math.exp(logBeta);
  for (let i = 0; i < g; i++) {
    const ti = times[i];
    for (let j = 0; j <= i; j++) {
      const s = ti + times[j];
      const lr = logBeta - Math.log(s + betaK);
      const v = Math.exp(alphaK * lr);
      const vl = v * lr;
      const vr = (v * s) / (s + betaK);
      k[i * g + j] = v;
      k[j * g + i] = v;
      kLog[i * g + j] = vl;
      kLog[j * g + i] = vl;
      kRatio[i * g + j] = vr;
      kRatio[j * g + i] = vr;
    }
  }
}
