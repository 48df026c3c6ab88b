/**
 * Robust losses for least squares (scipy `least_squares`' `loss` and `f_scale`): a residual r
 * contributes C²·ρ(z) with z = (r/C)², so residuals well below C count as r² and larger ones
 * count less; C is the residual size beyond which a point is treated as an outlier.
 */

export type RobustLoss = 'l2' | 'soft_l1' | 'huber' | 'cauchy';
export const ROBUST_LOSSES: readonly RobustLoss[] = ['l2', 'soft_l1', 'huber', 'cauchy'];

export interface LossSpec {
  loss: RobustLoss;
  /** C, in the target's units. */
  fScale: number;
}

export const DEFAULT_LOSS: Readonly<LossSpec> = { loss: 'l2', fScale: 1 };

/** ρ and its derivative ρ' in z = (r/C)². Every ρ here has ρ(0) = 0 and ρ'(0) = 1. */
export interface Rho {
  value(z: number): number;
  slope(z: number): number;
}

export const RHO: Readonly<Record<RobustLoss, Rho>> = {
  /** ρ(z) = z */
  l2: { value: (z) => z, slope: () => 1 },
  /** ρ(z) = 2(√(1+z) − 1), written 2z/(√(1+z) + 1) so that a tiny z does not cancel to 0 */
  soft_l1: { value: (z) => (2 * z) / (Math.sqrt(1 + z) + 1), slope: (z) => 1 / Math.sqrt(1 + z) },
  /** ρ(z) = z for z ≤ 1, 2√z − 1 beyond */
  huber: { value: (z) => (z <= 1 ? z : 2 * Math.sqrt(z) - 1), slope: (z) => (z <= 1 ? 1 : 1 / Math.sqrt(z)) },
  /** ρ(z) = ln(1 + z) */
  cauchy: { value: (z) => Math.log1p(z), slope: (z) => 1 / (1 + z) },
};

/** l2 does not read C: every l2 spec is the default one. */
export function normaliseLoss(spec: LossSpec | undefined): LossSpec {
  if (!spec || spec.loss === 'l2') return { ...DEFAULT_LOSS };
  return { loss: spec.loss, fScale: spec.fScale };
}

export function isDefaultLoss(spec: LossSpec | undefined): boolean {
  return !spec || spec.loss === 'l2';
}

/** Why a spec cannot be used, or null: an unknown loss, or C not a finite number > 0. */
export function lossProblem(spec: LossSpec): string | null {
  if (!ROBUST_LOSSES.includes(spec.loss)) return `unknown loss '${String(spec.loss)}'; choose from ${ROBUST_LOSSES.join(', ')}`;
  if (!(Number.isFinite(spec.fScale) && spec.fScale > 0)) return `f-scale ${spec.fScale}: must be a number > 0`;
  return null;
}

/**
 * Σ C²·ρ((r_i/C)²) over r[0..m). With `slope`, also writes ρ'(z_i) there: the objective's
 * gradient is then Σ 2ρ'(z_i)·r_i·∂r_i/∂θ.
 */
export function robustCost(spec: LossSpec, r: Float64Array, m: number, slope?: Float64Array): number {
  const rho = RHO[spec.loss];
  const c2 = spec.fScale * spec.fScale;
  let s = 0;
  for (let i = 0; i < m; i++) {
    const z = (r[i] * r[i]) / c2;
    s += rho.value(z);
    if (slope) slope[i] = rho.slope(z);
  }
  return c2 * s;
}

/**
 * The robust objective as a plain sum of squares, for a least-squares solver: replaces r_i in
 * place by r̃_i = sign(r_i)·C·√ρ(z_i), so that Σ r̃² = Σ C²ρ(z), and writes dr̃_i/dr_i =
 * ρ'(z)·√(z/ρ(z)) into `chain` (its limit ρ'(0) = 1 at r = 0), so that ∂r̃/∂θ = chain·∂r/∂θ.
 */
export function sqrtResiduals(spec: LossSpec, r: Float64Array, m: number, chain: Float64Array): void {
  const rho = RHO[spec.loss];
  const C = spec.fScale;
  for (let i = 0; i < m; i++) {
    const z = (r[i] / C) ** 2;
    const p = rho.value(z);
    chain[i] = p > 0 ? rho.slope(z) * Math.sqrt(z / p) : 1;
    r[i] = Math.sign(r[i]) * C * Math.sqrt(p);
  }
}

/** How a result label shows the loss, e.g. `huber(0.05)`. */
export function lossLabel(spec: LossSpec): string {
  return `${spec.loss}(${spec.fScale})`;
}
