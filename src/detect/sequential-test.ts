// Sequential test on "harvest-shaped" requests: Wald's SPRT log-likelihood ratio between a benign
// rate p0 and a harvesting rate p1, restarted at zero whenever it would fall below it (Page's
// CUSUM, the repeated SPRT), so an account that starts clean and turns to harvesting is still
// caught, and a verdict comes as soon as the evidence crosses the alarm threshold.

export const sequentialDefaults = {
  /** Share of harvest-shaped requests expected from benign accounts. */
  benignRate: 0.02,
  /** Share expected from a harvesting account. */
  harvestRate: 0.4,
  /** Wald's bound for the chance of a false alarm within one test run. */
  alpha: 1e-4,
  /** Chance of missing a harvesting account. */
  beta: 0.01,
};

/** Alarm threshold on the log-likelihood ratio: log((1 - beta) / alpha). */
export const alarmThreshold = Math.log((1 - sequentialDefaults.beta) / sequentialDefaults.alpha);
const hit = Math.log(sequentialDefaults.harvestRate / sequentialDefaults.benignRate);
const miss = Math.log((1 - sequentialDefaults.harvestRate) / (1 - sequentialDefaults.benignRate));

export class SequentialTest {
  logLikelihoodRatio = 0;
  observations = 0;
  /** Requests it took to raise the alarm (0 while none). */
  alarmAfter = 0;

  observe(harvestShaped: boolean): void {
    this.observations += 1;
    if (this.alarmAfter > 0) return;
    this.logLikelihoodRatio = Math.max(0, this.logLikelihoodRatio + (harvestShaped ? hit : miss));
    if (this.logLikelihoodRatio >= alarmThreshold) this.alarmAfter = this.observations;
  }

  get alarmed(): boolean {
    return this.alarmAfter > 0;
  }
}
