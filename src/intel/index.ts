// Public face of intel/: sharing campaigns and indicators in STIX 2.1 over TAXII 2.1. So far: the
// STIX patterning language's parser (every indicator's pattern must parse).
export {
  parseStixPattern,
  StixPatternError,
  type Comparison,
  type ComparisonOperator,
  type ObjectPath,
  type Observation,
  type PathStep,
  type PatternLiteral,
  type Qualifier,
} from './stix-pattern.js';
