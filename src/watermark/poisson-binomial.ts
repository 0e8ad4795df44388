// Exact upper tail of a Poisson-binomial count (independent Bernoulli trials with unequal
// probabilities), in log space so that tails far below 1e-308 stay finite.

function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/**
 * ln P(X >= k) for X = sum of independent Bernoulli(p_i): the textbook dynamic programme over the
 * count distribution (e.g. Chen and Liu 1997, "Statistical applications of the Poisson-binomial
 * and conditional Bernoulli distributions", §2), O(n^2) in log space. Exact up to rounding.
 * @example logPoissonBinomialUpperTail([0.5, 0.5], 2) // ln 0.25
 */
export function logPoissonBinomialUpperTail(probabilities: readonly number[], k: number): number {
  const n = probabilities.length;
  if (k <= 0) return 0;
  if (k > n) return -Infinity;
  // logCount[j] = ln P(j successes so far); counts above k are merged into k (only the tail matters)
  let logCount = new Float64Array(k + 1).fill(-Infinity);
  logCount[0] = 0;
  for (const p of probabilities) {
    const logP = Math.log(p);
    const logQ = Math.log1p(-p);
    const next = new Float64Array(k + 1).fill(-Infinity);
    for (let j = 0; j <= k; j += 1) {
      if (logCount[j] === -Infinity) continue;
      const stay = logCount[j] + (j === k ? 0 : logQ);
      next[j] = logAddExp(next[j], stay);
      if (j < k) next[j + 1] = logAddExp(next[j + 1], logCount[j] + logP);
    }
    logCount = next;
  }
  return Math.min(0, logCount[k]);
}
