/**
 * Which parameters enter a law linearly, for variable projection: with L linear, every output is
 * f(θ) = b(θ_N, x) + Σ_{j∈L} θ_j·a_j(θ_N, x), so for fixed θ_N the best θ_L is a linear least
 * squares solve and the nonlinear search only has to cover θ_N.
 */
import type { Graph } from './graph.js';

/** Degree of a node in θ_L: 0 (free of L), 1 (affine in θ_L), or NONLINEAR. */
const NONLINEAR = 2;

/**
 * Whether every output of `graph` is affine in the parameters of `inL` jointly. Degrees propagate
 * up the DAG in creation (topological) order; nodes that depend on no parameter of L have degree 0.
 */
function isLinearIn(graph: Graph, inL: Uint8Array): boolean {
  const { nodes } = graph;
  const degree = new Uint8Array(nodes.length);
  for (const node of nodes) {
    if (!node.deps.some((d) => inL[d] === 1)) continue; // degree 0 (already)
    const d = node.args.map((a) => degree[a]);
    let deg: number;
    switch (node.op) {
      case 'param':
        deg = 1; // deps = [value], which is in L
        break;
      case 'neg':
        deg = d[0];
        break;
      case 'add':
      case 'sub':
        deg = Math.max(d[0], d[1]);
        break;
      case 'mul':
        deg = Math.min(d[0] + d[1], NONLINEAR);
        break;
      case 'div':
        deg = d[1] === 0 ? d[0] : NONLINEAR;
        break;
      default:
        // pow, powlog, exp, log, clip, min, max, abs, … : nonlinear in anything of L they touch
        deg = NONLINEAR;
    }
    degree[node.id] = deg;
  }
  return graph.outputs.every((o) => degree[o] <= 1);
}

/**
 * A maximal set of parameters (sorted θ indices) in which all outputs are jointly affine, by the rule
 * deg(param∈L)=1, deg(neg)=deg(arg), deg(±)=max, deg(·)=sum, deg(a/b)=deg(a) if deg(b)=0, any other
 * op with an L-dependent argument is nonlinear, every output ≤ 1. Greedy in θ order because the
 * maximal sets are not unique (A·B·x is linear in A or in B, not both) and finding the largest is a
 * combinatorial search; a maximal set already makes each fit's inner problem linear least squares,
 * and θ order makes the choice deterministic and predictable from the formula.
 */
export function linearParams(graph: Graph): number[] {
  const inL = new Uint8Array(graph.paramCount);
  const linear: number[] = [];
  for (let j = 0; j < graph.paramCount; j++) {
    inL[j] = 1;
    if (isLinearIn(graph, inL)) linear.push(j);
    else inL[j] = 0;
  }
  return linear;
}
