// Public face of detect/: today the report builder; signals, profiles and campaigns follow.
export { buildReport, type AnalysedInput } from './build-report.js';
