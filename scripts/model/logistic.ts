// L2-regularised logistic regression fitted by Newton's method (IRLS); deterministic, no dependencies.

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** Solves A x = b for symmetric positive-definite A (Cholesky); A is row-major n×n. */
export function choleskySolve(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / L[j * n + j];
    }
  }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * z[k];
    z[i] = s / L[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k];
    x[i] = s / L[i * n + i];
  }
  return x;
}

export interface LogisticFit {
  intercept: number;
  weights: number[];
}

/**
 * Fits rows (row-major, d features) to 0/1 labels. l2 penalises the distance of the weights from `prior`
 * (zero by default), so the same routine serves as a regularised re-fit around a shipped model.
 */
export function fitLogistic(
  X: Float64Array[],
  y: ArrayLike<number>,
  l2 = 1,
  opts: { iterations?: number; prior?: LogisticFit; offset?: ArrayLike<number> } = {},
): LogisticFit {
  const d = X[0]?.length ?? 0;
  const m = d + 1;
  const prior = opts.prior ?? { intercept: 0, weights: new Array(d).fill(0) };
  const w = Float64Array.from([prior.intercept, ...prior.weights]);
  const iterations = opts.iterations ?? 25;
  for (let it = 0; it < iterations; it++) {
    const H = new Float64Array(m * m);
    const grad = new Float64Array(m);
    for (let i = 0; i < X.length; i++) {
      const x = X[i];
      let z = w[0] + (opts.offset ? opts.offset[i] : 0);
      for (let j = 0; j < d; j++) z += w[j + 1] * x[j];
      const p = sigmoid(z);
      const r = p - y[i];
      const s = Math.max(p * (1 - p), 1e-10);
      grad[0] += r;
      H[0] += s;
      for (let j = 0; j < d; j++) {
        grad[j + 1] += r * x[j];
        H[j + 1] += s * x[j];
        for (let k = 0; k <= j; k++) H[(j + 1) * m + k + 1] += s * x[j] * x[k];
      }
    }
    // Only the intercept row and the lower feature triangle were accumulated; mirror them.
    for (let j = 1; j < m; j++) H[j * m] = H[j];
    for (let j = 1; j < m; j++) for (let k = j + 1; k < m; k++) H[j * m + k] = H[k * m + j];
    for (let j = 1; j < m; j++) {
      grad[j] += l2 * (w[j] - prior.weights[j - 1]);
      H[j * m + j] += l2;
    }
    H[0] += 1e-8;
    const step = choleskySolve(H, grad, m);
    let maxStep = 0;
    for (let j = 0; j < m; j++) {
      w[j] -= step[j];
      maxStep = Math.max(maxStep, Math.abs(step[j]));
    }
    if (maxStep < 1e-9) break;
  }
  return { intercept: w[0], weights: Array.from(w.slice(1)) };
}

export function logisticMargin(f: LogisticFit, x: ArrayLike<number>): number {
  let z = f.intercept;
  for (let j = 0; j < f.weights.length; j++) z += f.weights[j] * x[j];
  return z;
}
