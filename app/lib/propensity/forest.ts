// The tree-ensemble core shared by the storefront bundle and the server: one compact array format, one scoring
// loop, so a session scores bit-identically everywhere. Kept tiny because it ships in the theme embed.

/**
 * Every tree in preorder, concatenated. An internal node is two entries: −1 − feature index (= ~feature), then the threshold
 * (go left when x ≤ threshold; the left subtree follows directly). A leaf is one entry: its value in units of
 * `quantum`, ≥ 0 (each tree's offset is folded into `base`, which is what keeps leaves non-negative).
 */
export interface Forest {
  base: number;
  quantum: number;
  nodes: readonly number[];
}

export interface CompiledForest extends Forest {
  /** Index of each internal node's right child. */
  right: Int32Array;
  /** Index of each tree's root. */
  roots: number[];
}

/** Links right children and tree roots in one pass over the array. */
export function compileForest(f: Forest): CompiledForest {
  const a = f.nodes;
  const right = new Int32Array(a.length);
  const roots: number[] = [];
  let i = 0;
  const skip = (): void => {
    const k = i;
    if (a[i++] < 0) {
      i++;
      skip();
      right[k] = i;
      skip();
    }
  };
  while (i < a.length) {
    roots.push(i);
    skip();
  }
  return { ...f, right, roots };
}

/** Logit of the ensemble for an encoded feature vector. Leaves are summed as integers, scaled once. */
export function forestMargin(c: CompiledForest, x: ArrayLike<number>): number {
  const { nodes: a, right, roots } = c;
  let sum = 0;
  for (let t = 0; t < roots.length; t++) {
    let k = roots[t];
    let v = a[k];
    while (v < 0) {
      k = x[~v] <= a[k + 1] ? k + 2 : right[k];
      v = a[k];
    }
    sum += v;
  }
  return c.base + sum * c.quantum;
}

/** Numerically stable logistic function. */
export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}
