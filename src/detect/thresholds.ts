// Decision thresholds on an account's final log-odds. Calibrated on benign simulated traffic
// (calibration seed 1, never the evaluation seeds) to a target false-positive rate; see
// docs/detection.md for the procedure and the measured rates.

export const thresholds = {
  /** Enforcement-grade: extraction. */
  extraction: 3,
  /** Worth a human look: review. */
  review: 0.5,
  /** Accounts above this take part in the cross-account graph. */
  candidate: -2.5,
  /** A campaign bonus needs the member's own harvesting evidence to be at least this weight. */
  memberEvidence: 0.3,
};

export function riskOf(logOdds: number): number {
  return 1 / (1 + Math.exp(-logOdds));
}
