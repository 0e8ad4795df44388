// Special functions for exact watermark tests, in log space so that p-values of 1e-300 and far
// below stay exact: log Γ (Lanczos), the regularised incomplete beta (Lentz continued fraction)
// and the regularised upper incomplete gamma (series / continued fraction). Press et al.,
// Numerical Recipes 3rd ed. (2007) §6.1, §6.2, §6.4; Lentz (1976) for the continued fractions.

const epsilon = 1e-15;
const tiny = 1e-300;
const maxIterations = 1_000_000;

// Lanczos (1964) approximation, g = 7, 9 coefficients (Godfrey's set): |relative error| < 1e-15.
const lanczos = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];
const halfLogTwoPi = 0.5 * Math.log(2 * Math.PI);

/** Natural log of Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma needs x > 0, got ${x}`);
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x); // reflection
  const shifted = x - 1;
  let sum = lanczos[0];
  for (let index = 1; index < lanczos.length; index += 1) sum += lanczos[index] / (shifted + index);
  const t = shifted + 7.5;
  return halfLogTwoPi + (shifted + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** log B(a, b) = log Γ(a) + log Γ(b) - log Γ(a + b). */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** Continued fraction for I_x(a, b) by the modified Lentz method (Numerical Recipes §6.4, betacf). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const sum = a + b;
  const plus = a + 1;
  const minus = a - 1;
  let c = 1;
  let d = 1 - (sum * x) / plus;
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let fraction = d;
  for (let m = 1; m <= maxIterations; m += 1) {
    const twoM = 2 * m;
    let numerator = (m * (b - m) * x) / ((minus + twoM) * (a + twoM));
    d = 1 + numerator * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + numerator / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    fraction *= d * c;
    numerator = (-(a + m) * (sum + m) * x) / ((a + twoM) * (plus + twoM));
    d = 1 + numerator * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + numerator / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    fraction *= step;
    if (Math.abs(step - 1) < epsilon) return fraction;
  }
  throw new RangeError(`incomplete beta did not converge (x=${x}, a=${a}, b=${b})`);
}

/** Natural log of the regularised incomplete beta I_x(a, b), a, b > 0, 0 <= x <= 1. */
export function logRegularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0)) throw new RangeError(`incomplete beta needs a, b > 0, got a=${a}, b=${b}`);
  if (x <= 0) return -Infinity;
  if (x >= 1) return 0;
  // The continued fraction converges fast for x < (a + 1) / (a + b + 2); otherwise use
  // I_x(a, b) = 1 - I_{1-x}(b, a) (Numerical Recipes §6.4).
  if (x < (a + 1) / (a + b + 2)) {
    const front = a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b) - Math.log(a);
    return front + Math.log(betaContinuedFraction(x, a, b));
  }
  const complement =
    b * Math.log1p(-x) +
    a * Math.log(x) -
    logBeta(a, b) -
    Math.log(b) +
    Math.log(betaContinuedFraction(1 - x, b, a));
  return Math.log1p(-Math.exp(complement));
}

/**
 * Natural log of P(X >= k) for X ~ Binomial(n, p): the exact one-sided test of a green-list count
 * (Kirchenbauer et al. 2023 §4 use the z-approximation; the exact tail is I_p(k, n - k + 1),
 * Fernandez et al. 2023 "Three Bricks" §3, Abramowitz and Stegun 26.5.24).
 */
export function logBinomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 0;
  if (k > n) return -Infinity;
  return logRegularizedIncompleteBeta(p, k, n - k + 1);
}

/**
 * Natural log of Q(a, x) = Γ(a, x) / Γ(a), the regularised upper incomplete gamma: the tail of a
 * sum of a independent Exp(1) scores (Aaronson's EXP detector; Fernandez et al. 2023 §3).
 */
export function logRegularizedUpperGamma(a: number, x: number): number {
  if (!(a > 0)) throw new RangeError(`incomplete gamma needs a > 0, got ${a}`);
  if (x <= 0) return 0;
  const logFront = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    // Series for P(a, x) (Numerical Recipes §6.2, gser), then Q = 1 - P.
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n <= maxIterations; n += 1) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * epsilon)
        return Math.log1p(-Math.exp(logFront + Math.log(sum)));
    }
    throw new RangeError(`incomplete gamma series did not converge (a=${a}, x=${x})`);
  }
  // Continued fraction for Q(a, x) by modified Lentz (Numerical Recipes §6.2, gcf).
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let fraction = d;
  for (let i = 1; i <= maxIterations; i += 1) {
    const numerator = -i * (i - a);
    b += 2;
    d = numerator * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + numerator / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    fraction *= step;
    if (Math.abs(step - 1) < epsilon) return logFront + Math.log(fraction);
  }
  throw new RangeError(`incomplete gamma fraction did not converge (a=${a}, x=${x})`);
}
