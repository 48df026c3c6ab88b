/**
 * The parsed formula as a hash-consed expression DAG: every distinct subexpression is one node,
 * so a subexpression written twice (or shared between the outputs of a multi-output law) is
 * computed once. Each node knows which parameters it depends on (its derivative is non-zero only
 * for those) and where it can be computed:
 *
 *   const   – folded at compile time
 *   feature – depends on data only: computed once per data set (`prepare`)
 *   param   – depends on θ only: computed once per evaluation, outside the row loop
 *   row     – depends on both: computed per row
 */
import type { Expr, FunctionName, Program } from './parser.js';

/**
 * `powlog(a, log a, b)` is a^b with a non-constant exponent, computed as exp(b·log a) for a > 0:
 * log a is then a node of its own, shared with the derivative in b and, when a is data-only,
 * cached per data set — the fits evaluate these millions of times.
 */
export type Op = 'const' | 'param' | 'feature' | 'neg' | 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'powlog' | FunctionName;
export type Kind = 'const' | 'feature' | 'param' | 'row';

export interface Node {
  id: number;
  op: Op;
  args: number[];
  /** The value of a const node; the index of a param or feature leaf. */
  value: number;
  kind: Kind;
  /** Sorted indices of the parameters this node depends on. */
  deps: number[];
}

export interface Graph {
  nodes: Node[];
  /** One node per output, in output order. */
  outputs: number[];
  paramCount: number;
  featureCount: number;
}

const LN10 = Math.LN10;

export function softplus(x: number): number {
  // log(1 + e^x) without overflow for large x and without cancellation for very negative x
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Scalar semantics of every operation; the generated code must agree with this exactly. */
export function applyOp(op: Op, a: number, b = NaN, c = NaN): number {
  switch (op) {
    case 'neg':
      return -a;
    case 'add':
      return a + b;
    case 'sub':
      return a - b;
    case 'mul':
      return a * b;
    case 'div':
      return a / b;
    case 'pow':
      return b === 2 ? a * a : Math.pow(a, b);
    case 'powlog':
      return a > 0 ? Math.exp(c * b) : Math.pow(a, c);
    case 'exp':
      return Math.exp(a);
    case 'log':
      return Math.log(a);
    case 'log10':
      return Math.log(a) / LN10;
    case 'sqrt':
      return Math.sqrt(a);
    case 'abs':
      return Math.abs(a);
    case 'tanh':
      return Math.tanh(a);
    case 'softplus':
      return softplus(a);
    case 'sigmoid':
      return sigmoid(a);
    case 'min':
      return Math.min(a, b);
    case 'max':
      return Math.max(a, b);
    case 'clip':
      return Math.min(Math.max(a, b), c);
    default:
      throw new Error(`applyOp: ${op} is a leaf`);
  }
}

function mergeDeps(lists: number[][]): number[] {
  const set = new Set<number>();
  for (const l of lists) for (const d of l) set.add(d);
  return [...set].sort((x, y) => x - y);
}

function joinKind(kinds: Kind[]): Kind {
  let hasFeature = false;
  let hasParam = false;
  for (const k of kinds) {
    if (k === 'row') return 'row';
    if (k === 'feature') hasFeature = true;
    if (k === 'param') hasParam = true;
  }
  if (hasFeature && hasParam) return 'row';
  if (hasFeature) return 'feature';
  if (hasParam) return 'param';
  return 'const';
}

export class GraphBuilder {
  readonly nodes: Node[] = [];
  private readonly index = new Map<string, number>();

  constructor(
    readonly paramCount: number,
    readonly featureCount: number,
  ) {}

  private intern(op: Op, args: number[], value: number): number {
    const key = op === 'const' ? `c:${Object.is(value, -0) ? '-0' : value}` : `${op}:${value}:${args.join(',')}`;
    const found = this.index.get(key);
    if (found !== undefined) return found;
    const argNodes = args.map((a) => this.nodes[a]);
    let kind: Kind;
    let deps: number[];
    if (op === 'const') {
      kind = 'const';
      deps = [];
    } else if (op === 'param') {
      kind = 'param';
      deps = [value];
    } else if (op === 'feature') {
      kind = 'feature';
      deps = [];
    } else {
      kind = joinKind(argNodes.map((n) => n.kind));
      deps = mergeDeps(argNodes.map((n) => n.deps));
    }
    const id = this.nodes.length;
    this.nodes.push({ id, op, args, value, kind, deps });
    this.index.set(key, id);
    return id;
  }

  constant(v: number): number {
    return this.intern('const', [], v);
  }

  leaf(op: 'param' | 'feature', index: number): number {
    return this.intern(op, [], index);
  }

  apply(op: Op, args: number[]): number {
    const argNodes = args.map((a) => this.nodes[a]);
    if (argNodes.every((n) => n.kind === 'const')) {
      const [a, b, c] = argNodes.map((n) => n.value);
      return this.constant(applyOp(op, a, b, c));
    }
    if (op === 'pow' && argNodes[1].kind !== 'const') {
      return this.intern('powlog', [args[0], this.apply('log', [args[0]]), args[1]], NaN);
    }
    return this.intern(op, args, NaN);
  }

  /** Lowers a parsed program; locals are inlined by reference (they become shared nodes). */
  addProgram(program: Program): number {
    const locals = new Map<string, number>();
    const lower = (e: Expr): number => {
      switch (e.type) {
        case 'num':
          return this.constant(e.value);
        case 'param':
          return this.leaf('param', e.index);
        case 'feature':
          return this.leaf('feature', e.index);
        case 'local': {
          const id = locals.get(e.name);
          if (id === undefined) throw new Error(`internal: local ${e.name} unresolved`);
          return id;
        }
        case 'unary':
          return this.apply('neg', [lower(e.arg)]);
        case 'binary': {
          const op = ({ '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '^': 'pow' } as const)[e.op];
          return this.apply(op, [lower(e.left), lower(e.right)]);
        }
        case 'call':
          return this.apply(e.fn, e.args.map(lower));
      }
    };
    for (const { name, expr } of program.locals) locals.set(name, lower(expr));
    return lower(program.result);
  }

  build(outputs: number[]): Graph {
    return { nodes: this.nodes, outputs, paramCount: this.paramCount, featureCount: this.featureCount };
  }
}

/** Nodes reachable from the outputs, in topological (creation) order. */
export function liveNodes(graph: Graph): Node[] {
  const live = new Uint8Array(graph.nodes.length);
  const stack = [...graph.outputs];
  while (stack.length) {
    const id = stack.pop()!;
    if (live[id]) continue;
    live[id] = 1;
    for (const a of graph.nodes[id].args) stack.push(a);
  }
  return graph.nodes.filter((n) => live[n.id]);
}
