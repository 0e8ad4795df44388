// Public face of sim/: the labelled traffic simulator.
export {
  simulate,
  simulationDefaults,
  type SimulateOptions,
  type SimulationSummary,
  type PopulationSummary,
} from './simulate.js';
export { Random } from './random.js';
export { loadCorpus, fixturesDirectory, type Corpus } from './fixtures.js';
