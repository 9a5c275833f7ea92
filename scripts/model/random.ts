// Training, fold assignment and subsampling use the app's seeded PRNG, so they are reproducible run to run.
import { mulberry32 } from "../../app/lib/stats/random";

export { mulberry32 };

/** Stratified k-fold assignment: fold index per row, classes shuffled separately with the seed. */
export function stratifiedFolds(y: ArrayLike<number>, k: number, seed: number): Int32Array {
  const rand = mulberry32(seed);
  const fold = new Int32Array(y.length);
  for (const cls of [0, 1]) {
    const idx: number[] = [];
    for (let i = 0; i < y.length; i++) if (y[i] === cls) idx.push(i);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [idx[i], idx[j]] = [idx[j], idx[i]];
    }
    idx.forEach((row, r) => (fold[row] = r % k));
  }
  return fold;
}
