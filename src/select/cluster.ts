/**
 * Complete-linkage hierarchical clustering, tree cuts and the silhouette, on a precomputed
 * distance matrix.
 *
 * The merge order, the tie rules and the numbering of flat clusters follow SciPy's `linkage`
 * (nearest-neighbour chain) and `fcluster(criterion='distance')`, because the reference orders
 * its mixture modes by those cluster numbers: a different numbering would permute the modes.
 */

/** A dendrogram in SciPy's layout: merge i joins clusters left[i] < right[i] into cluster n + i. */
export interface Dendrogram {
  n: number;
  left: Int32Array;
  right: Int32Array;
  height: Float64Array;
  size: Int32Array;
}

/** Index of the pair (i, j), i ≠ j, in a condensed (upper-triangle, row-major) distance vector. */
export function condensedIndex(n: number, i: number, j: number): number {
  if (i > j) [i, j] = [j, i];
  return n * i - (i * (i + 1)) / 2 + (j - i - 1);
}

/**
 * Complete linkage (cluster distance = the largest pairwise distance) by the nearest-neighbour
 * chain. Strict `<` comparisons and the preference for the chain's previous element decide ties
 * the way SciPy does; the merges are then ordered by height (stably) and renumbered.
 */
export function completeLinkage(condensed: Float64Array, n: number): Dendrogram {
  const m = Math.max(n - 1, 0);
  const D = Float64Array.from(condensed);
  const size = new Int32Array(n).fill(1);
  const chain = new Int32Array(n);
  const rx = new Int32Array(m);
  const ry = new Int32Array(m);
  const rh = new Float64Array(m);
  let len = 0;
  for (let k = 0; k < m; k++) {
    if (len === 0) {
      for (let i = 0; i < n; i++) {
        if (size[i] > 0) {
          chain[0] = i;
          len = 1;
          break;
        }
      }
    }
    let x = 0;
    let y = 0;
    let best = Infinity;
    for (;;) {
      x = chain[len - 1];
      // Starting from the previous chain element avoids cycling between equidistant neighbours.
      if (len > 1) {
        y = chain[len - 2];
        best = D[condensedIndex(n, x, y)];
      } else best = Infinity;
      for (let i = 0; i < n; i++) {
        if (size[i] === 0 || i === x) continue;
        const d = D[condensedIndex(n, x, i)];
        if (d < best) {
          best = d;
          y = i;
        }
      }
      if (len > 1 && y === chain[len - 2]) break;
      chain[len++] = y;
    }
    len -= 2;
    if (x > y) [x, y] = [y, x];
    const nx = size[x];
    const ny = size[y];
    rx[k] = x;
    ry[k] = y;
    rh[k] = best;
    size[x] = 0;
    size[y] = nx + ny;
    for (let i = 0; i < n; i++) {
      if (size[i] === 0 || i === y) continue;
      const a = D[condensedIndex(n, i, x)];
      const b = D[condensedIndex(n, i, y)];
      D[condensedIndex(n, i, y)] = a > b ? a : b;
    }
  }
  // Stable sort of the merges by height, then relabel through a union-find.
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => rh[a] - rh[b] || a - b);
  const parent = new Int32Array(2 * n - 1 > 0 ? 2 * n - 1 : 1);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  const csize = new Int32Array(parent.length).fill(1);
  const find = (v: number): number => {
    let r = v;
    while (parent[r] !== r) r = parent[r];
    while (parent[v] !== r) {
      const next = parent[v];
      parent[v] = r;
      v = next;
    }
    return r;
  };
  const tree: Dendrogram = {
    n,
    left: new Int32Array(m),
    right: new Int32Array(m),
    height: new Float64Array(m),
    size: new Int32Array(m),
  };
  order.forEach((src, i) => {
    const a = find(rx[src]);
    const b = find(ry[src]);
    tree.left[i] = Math.min(a, b);
    tree.right[i] = Math.max(a, b);
    tree.height[i] = rh[src];
    const id = n + i;
    parent[a] = id;
    parent[b] = id;
    csize[id] = csize[a] + csize[b];
    tree.size[i] = csize[id];
  });
  return tree;
}

/**
 * Flat clusters (numbered from 1) from cutting the tree at `cutoff`: every subtree whose largest
 * merge height is ≤ cutoff is one cluster. Numbers are handed out in SciPy's depth-first order
 * (left subtree, right subtree, then the node's own leaves), which fixes the clusters' order.
 */
export function cutTree(tree: Dendrogram, cutoff: number): Int32Array {
  const { n, left, right, height } = tree;
  const labels = new Int32Array(n);
  if (n === 0) return labels;
  if (n === 1) {
    labels[0] = 1;
    return labels;
  }
  const m = n - 1;
  const maxHeight = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let h = height[i];
    if (left[i] >= n && maxHeight[left[i] - n] > h) h = maxHeight[left[i] - n];
    if (right[i] >= n && maxHeight[right[i] - n] > h) h = maxHeight[right[i] - n];
    maxHeight[i] = h;
  }
  const stack = new Int32Array(n);
  const visited = new Uint8Array(2 * n - 1);
  let k = 0;
  stack[0] = 2 * n - 2;
  let clusters = 0;
  let leader = -1;
  while (k >= 0) {
    const root = stack[k] - n;
    const l = left[root];
    const r = right[root];
    if (leader === -1 && maxHeight[root] <= cutoff) {
      leader = root;
      clusters++;
    }
    if (l >= n && !visited[l]) {
      visited[l] = 1;
      stack[++k] = l;
      continue;
    }
    if (r >= n && !visited[r]) {
      visited[r] = 1;
      stack[++k] = r;
      continue;
    }
    if (l < n) {
      if (leader === -1) clusters++;
      labels[l] = clusters;
    }
    if (r < n) {
      if (leader === -1) clusters++;
      labels[r] = clusters;
    }
    if (leader === root) leader = -1;
    k--;
  }
  return labels;
}

/** Number of distinct labels. */
export function countClusters(labels: Int32Array): number {
  return new Set(labels).size;
}

/**
 * Mean silhouette (b − a) / max(a, b) over all points for a full n×n distance matrix; a point
 * alone in its cluster counts 0, and fewer than two clusters score −1 (never chosen).
 */
export function silhouette(dist: Float64Array, n: number, labels: Int32Array): number {
  const ids = [...new Set(labels)].sort((a, b) => a - b);
  if (ids.length < 2) return -1;
  const slot = new Map(ids.map((c, i) => [c, i]));
  const sums = new Float64Array(ids.length);
  const counts = new Int32Array(ids.length);
  for (let i = 0; i < n; i++) counts[slot.get(labels[i])!]++;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const own = slot.get(labels[i])!;
    if (counts[own] < 2) continue;
    sums.fill(0);
    for (let j = 0; j < n; j++) if (j !== i) sums[slot.get(labels[j])!] += dist[i * n + j];
    const a = sums[own] / (counts[own] - 1);
    let b = Infinity;
    for (let c = 0; c < ids.length; c++) {
      // `<` rather than Math.min: like the reference's running min, a NaN mean is skipped.
      const v = sums[c] / counts[c];
      if (c !== own && v < b) b = v;
    }
    total += (b - a) / Math.max(a, b, 1e-300);
  }
  return total / n;
}
