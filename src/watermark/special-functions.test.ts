// Special functions against closed forms and published values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  logBinomialUpperTail,
  logGamma,
  logRegularizedIncompleteBeta,
  logRegularizedUpperGamma,
} from './special-functions.js';

const close = (actual: number, expected: number, relative = 1e-12) =>
  assert.ok(
    Math.abs(actual - expected) <= relative * Math.max(1, Math.abs(expected)),
    `${actual} != ${expected}`,
  );

test('log Γ matches factorials and Γ(1/2) = √π', () => {
  close(logGamma(0.5), 0.5 * Math.log(Math.PI));
  close(logGamma(1), 0);
  close(logGamma(10), Math.log(362880));
  // ln Γ(100) = ln 99! (Abramowitz and Stegun table 6.3 / any big-number library): 359.13420536957540
  close(logGamma(100), 359.1342053695754);
  close(logGamma(0.1), 2.252712651734206); // Γ(0.1) = 9.513507698668732
});

test('incomplete beta: closed forms', () => {
  // I_x(2, 3) = Σ_{j=2}^{4} C(4, j) x^j (1-x)^(4-j); at 1/2 that is 11/16.
  close(Math.exp(logRegularizedIncompleteBeta(0.5, 2, 3)), 11 / 16);
  // I_x(a, 1) = x^a; I_x(1, b) = 1 - (1 - x)^b.
  close(logRegularizedIncompleteBeta(0.3, 7, 1), 7 * Math.log(0.3));
  close(Math.exp(logRegularizedIncompleteBeta(0.3, 1, 5)), 1 - 0.7 ** 5);
  assert.equal(logRegularizedIncompleteBeta(0, 2, 2), -Infinity);
  assert.equal(logRegularizedIncompleteBeta(1, 2, 2), 0);
});

test('binomial upper tail equals direct summation, and stays exact far in the tail', () => {
  for (const [n, p] of [
    [10, 0.5],
    [50, 0.25],
    [200, 0.25],
    [300, 0.5],
  ] as const) {
    // direct sum of the pmf in log space
    const logPmf = (k: number) =>
      logGamma(n + 1) -
      logGamma(k + 1) -
      logGamma(n - k + 1) +
      k * Math.log(p) +
      (n - k) * Math.log1p(-p);
    for (let k = 1; k <= n; k += Math.max(1, Math.floor(n / 17))) {
      let max = -Infinity;
      for (let j = k; j <= n; j += 1) max = Math.max(max, logPmf(j));
      let sum = 0;
      for (let j = k; j <= n; j += 1) sum += Math.exp(logPmf(j) - max);
      close(logBinomialUpperTail(k, n, p), max + Math.log(sum), 1e-9);
    }
  }
  close(Math.exp(logBinomialUpperTail(8, 10, 0.5)), 56 / 1024);
  // every one of 200 tokens green at gamma 1/4: p = 4^-200, log10 p = -200 log10 4
  close(logBinomialUpperTail(200, 200, 0.25) / Math.LN10, -200 * Math.log10(4), 1e-12);
  assert.equal(logBinomialUpperTail(0, 100, 0.25), 0);
  assert.equal(logBinomialUpperTail(101, 100, 0.25), -Infinity);
});

test('upper incomplete gamma: Poisson sums and the far tail', () => {
  // Q(n, x) = e^-x Σ_{k<n} x^k / k! for whole n.
  close(Math.exp(logRegularizedUpperGamma(3, 2)), 5 * Math.exp(-2));
  close(Math.exp(logRegularizedUpperGamma(1, 0.5)), Math.exp(-0.5));
  for (const [n, x] of [
    [50, 30],
    [50, 80],
    [200, 200],
    [200, 400],
    [1000, 1100],
  ] as const) {
    let max = -Infinity;
    const terms: number[] = [];
    for (let k = 0; k < n; k += 1) {
      const term = -x + k * Math.log(x) - logGamma(k + 1);
      terms.push(term);
      max = Math.max(max, term);
    }
    const direct = max + Math.log(terms.reduce((sum, term) => sum + Math.exp(term - max), 0));
    close(logRegularizedUpperGamma(n, x), direct, 1e-9);
  }
  close(logRegularizedUpperGamma(1, 1000) / Math.LN10, -1000 / Math.LN10); // e^-1000
  assert.equal(logRegularizedUpperGamma(5, 0), 0);
});
