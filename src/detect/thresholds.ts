// Decision thresholds on an account's final log-odds. Calibrated on benign simulated traffic
// (calibration seed 1, never the evaluation seeds) to a target false-positive rate; see
// docs/detection.md for the procedure and the measured rates.

export const thresholds = {
  /** Enforcement-grade: extraction (about 5 log-odds above the highest benign account at calibration). */
  extraction: 1,
  /** Worth a human look: review. */
  review: -1,
  /** Accounts above this take part in the cross-account graph. */
  candidate: -2.5,
  /** A campaign adds to a member's score only when the member's own evidence reaches this. */
  memberScore: -2,
};

export function riskOf(logOdds: number): number {
  return 1 / (1 + Math.exp(-logOdds));
}
