/**
 * Emits straight-line JavaScript from the expression DAG. The text is built only from node ids,
 * numeric literals and a fixed vocabulary of operators and Math functions — never from user text —
 * so nothing a user writes is ever evaluated.
 *
 * Generated kernels (all over Float64Array, no allocation per row):
 *   prepare(F, n)                 → cached data-only columns (computed once per data set)
 *   value(θ, F, C, n, out)        → predictions, row-major [row][output]
 *   valueJac(θ, F, C, n, out, J)  → predictions and J[row][output][param]
 *   sse(θ, F, C, n, y)            → Σ (pred − y)²
 *   sseGrad(θ, F, C, n, y, g)     → Σ (pred − y)², and g = ∂/∂θ of it
 */
import { derivative, type Code } from './derivative.js';
import { liveNodes, type Graph, type Node } from './graph.js';

function literal(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '(-Infinity)';
  if (Object.is(v, -0)) return '(-0)';
  return v < 0 ? `(${String(v)})` : String(v);
}

function valueCode(node: Node, args: string[]): string {
  const [a, b, c] = args;
  switch (node.op) {
    case 'neg':
      return `-${a}`;
    case 'add':
      return `${a} + ${b}`;
    case 'sub':
      return `${a} - ${b}`;
    case 'mul':
      return `${a} * ${b}`;
    case 'div':
      return `${a} / ${b}`;
    case 'pow':
      return b === '2' ? `${a} * ${a}` : `Math.pow(${a}, ${b})`;
    case 'powlog':
      return `(${a} > 0 ? Math.exp(${c} * ${b}) : Math.pow(${a}, ${c}))`;
    case 'exp':
      return `Math.exp(${a})`;
    case 'log':
      return `Math.log(${a})`;
    case 'log10':
      return `Math.log(${a}) / ${Math.LN10}`;
    case 'sqrt':
      return `Math.sqrt(${a})`;
    case 'abs':
      return `Math.abs(${a})`;
    case 'tanh':
      return `Math.tanh(${a})`;
    case 'softplus':
      return `softplus(${a})`;
    case 'sigmoid':
      return `sigmoid(${a})`;
    case 'min':
      return `Math.min(${a}, ${b})`;
    case 'max':
      return `Math.max(${a}, ${b})`;
    case 'clip':
      return `Math.min(Math.max(${a}, ${b}), ${c})`;
    default:
      throw new Error(`valueCode: leaf ${node.op}`);
  }
}

interface Plan {
  live: Node[];
  /** Data-only nodes read inside the row loop or as outputs: cached columns, in this order. */
  cached: Node[];
  cacheSlot: Map<number, number>;
}

function plan(graph: Graph): Plan {
  const live = liveNodes(graph);
  const needed = new Set<number>();
  for (const n of live) {
    if (n.kind === 'row') for (const a of n.args) if (graph.nodes[a].kind === 'feature') needed.add(a);
  }
  for (const o of graph.outputs) if (graph.nodes[o].kind === 'feature') needed.add(o);
  // raw feature columns are passed in as they are; only computed ones need a cache
  const cached = live.filter((n) => needed.has(n.id) && n.op !== 'feature');
  return { live, cached, cacheSlot: new Map(cached.map((n, i) => [n.id, i])) };
}

/** The name under which a node's value is visible inside the row loop. */
function nameOf(n: Node): string {
  switch (n.kind) {
    case 'const':
      return literal(n.value);
    case 'param':
      return n.op === 'param' ? `t${n.value}` : `p${n.id}`;
    case 'feature':
      return n.op === 'feature' ? `x${n.value}` : `f${n.id}`;
    case 'row':
      return `v${n.id}`;
  }
}

function derivName(n: Node, j: number): Code {
  if (n.kind === 'const' || n.kind === 'feature') return null;
  if (!n.deps.includes(j)) return null;
  if (n.op === 'param') return '1';
  return `d${n.id}_${j}`;
}

/** Emits value (and optionally derivative) statements for the given nodes. */
/**
 * Derivatives: 'exact' is the true derivative. 'fit' differs only at clamps, clip(x, lo, hi) and
 * min or max of x and a parameter-free bound, where it passes x's derivative through even when the
 * clamp is active — what the reference's hand-written Jacobians do. Its fits depend on it: a
 * clipped exp(·) is flat, and with the exact gradient a fit started there cannot move (see docs/design.md,
 * "Fitting gradient").
 */
export type Derivatives = 'none' | 'exact' | 'fit';

function emitNodes(graph: Graph, nodes: Node[], mode: Derivatives, out: string[]): void {
  const withDerivs = mode !== 'none';
  for (const n of nodes) {
    if (n.op === 'param' || n.op === 'feature' || n.op === 'const') continue;
    const argNodes = n.args.map((a) => graph.nodes[a]);
    const args = argNodes.map(nameOf);
    const self = nameOf(n);
    out.push(`const ${self} = ${valueCode(n, args)};`);
    if (!withDerivs) continue;
    const constant = argNodes.map((a) => a.deps.length === 0);
    const shared = new Map<string, string>();
    const share = (suffix: string, code: string): string => {
      const name = `${suffix}${n.id}`;
      if (!shared.has(name)) {
        shared.set(name, code);
        out.push(`const ${name} = ${code};`);
      }
      return name;
    };
    for (const j of n.deps) {
      const d = derivative(
        n,
        { args, self },
        argNodes.map((a) => derivName(a, j)),
        share,
        mode === 'fit',
        constant,
      );
      out.push(`const d${n.id}_${j} = ${d ?? '0'};`);
    }
  }
}

export interface GeneratedSource {
  prepare: string;
  value: string;
  valueJac: string;
  /** valueJac with the reference's derivatives through clamps (see `Derivatives`). */
  valueJacFit: string;
  sse: string;
  sseGrad: string;
  sseGradFit: string;
  cachedColumns: number;
  /** Indices of the features the formula reads. */
  usedFeatures: number[];
}

export function generate(graph: Graph): GeneratedSource {
  const { live, cached, cacheSlot } = plan(graph);
  const P = graph.paramCount;
  const O = graph.outputs.length;
  const paramNodes = live.filter((n) => n.kind === 'param');
  const rowNodes = live.filter((n) => n.kind === 'row');
  const featureNodes = live.filter((n) => n.kind === 'feature');
  const usedFeatures = [...new Set(live.filter((n) => n.op === 'feature').map((n) => n.value))];

  const thetaLoads = paramNodes.filter((n) => n.op === 'param').map((n) => `const t${n.value} = theta[${n.value}];`);
  const columnLoads = [
    ...usedFeatures.map((f) => `const X${f} = F[${f}];`),
    ...cached.map((n) => `const C${cacheSlot.get(n.id)} = C[${cacheSlot.get(n.id)}];`),
  ];
  // inside the row loop: raw features read from their columns, computed ones from the cache
  const rowLoads = [...usedFeatures.map((f) => `const x${f} = X${f}[i];`), ...cached.map((n) => `const f${n.id} = C${cacheSlot.get(n.id)}[i];`)];

  const outputs = graph.outputs.map((o) => graph.nodes[o]);

  // prepare: compute the data-only nodes once per data set
  const prep: string[] = [];
  prep.push(...usedFeatures.map((f) => `const X${f} = F[${f}];`));
  prep.push(`const C = [${cached.map(() => 'new Float64Array(n)').join(', ')}];`);
  if (cached.length) {
    prep.push('for (let i = 0; i < n; i++) {');
    prep.push(...usedFeatures.map((f) => `const x${f} = X${f}[i];`));
    emitNodes(graph, featureNodes, 'none', prep);
    for (const n of cached) prep.push(`C[${cacheSlot.get(n.id)}][i] = ${nameOf(n)};`);
    prep.push('}');
  }
  prep.push('return C;');

  function kernel(withDerivs: Derivatives, tail: (o: number, node: Node, idx: string) => string[], pre: string[], post: string[]): string {
    const body: string[] = [...thetaLoads, ...columnLoads];
    emitNodes(graph, paramNodes, withDerivs, body);
    body.push(...pre);
    body.push('for (let i = 0; i < n; i++) {');
    body.push(...rowLoads);
    emitNodes(graph, rowNodes, withDerivs, body);
    outputs.forEach((node, o) => body.push(...tail(o, node, O === 1 ? 'i' : `i * ${O} + ${o}`)));
    body.push('}');
    body.push(...post);
    return body.join('\n');
  }

  const value = kernel('none', (_o, node, idx) => [`out[${idx}] = ${nameOf(node)};`], [], []);

  const valueJacWith = (mode: Derivatives) =>
    kernel(
      mode,
      (_o, node, idx) => {
        const lines = [`out[${idx}] = ${nameOf(node)};`, `const base${_o} = (${idx}) * ${P};`];
        for (let j = 0; j < P; j++) lines.push(`J[base${_o} + ${j}] = ${derivName(node, j) ?? '0'};`);
        return lines;
      },
      [],
      [],
    );
  const valueJac = valueJacWith('exact');
  const valueJacFit = valueJacWith('fit');

  const sse = kernel('none', (o, node, idx) => [`const r${o} = ${nameOf(node)} - y[${idx}];`, `s += r${o} * r${o};`], ['let s = 0;'], ['return s;']);

  const gradDeps = new Set<number>();
  for (const node of outputs) for (const j of node.deps) gradDeps.add(j);
  const gj = [...gradDeps].sort((a, b) => a - b);
  const sseGradWith = (mode: Derivatives) =>
    kernel(
      mode,
      (o, node, idx) => {
        const lines = [`const r${o} = ${nameOf(node)} - y[${idx}];`, `s += r${o} * r${o};`];
        for (const j of node.deps) lines.push(`g${j} += r${o} * ${derivName(node, j)};`);
        return lines;
      },
      ['let s = 0;', ...gj.map((j) => `let g${j} = 0;`)],
      [`for (let j = 0; j < ${P}; j++) g[j] = 0;`, ...gj.map((j) => `g[${j}] = 2 * g${j};`), 'return s;'],
    );
  const sseGrad = sseGradWith('exact');
  const sseGradFit = sseGradWith('fit');

  return {
    prepare: prep.join('\n'),
    value,
    valueJac,
    valueJacFit,
    sse,
    sseGrad,
    sseGradFit,
    cachedColumns: cached.length,
    usedFeatures: [...usedFeatures].sort((a, b) => a - b),
  };
}
