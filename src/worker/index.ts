// Public face of worker/: `distillguard worker`, the detector worker of a scale-out deployment
// (docs/scale.md): partition leases in PostgreSQL, and the bus's events stored once by id.
export {
  BusWorker,
  type BusWorkerOptions,
  type WorkerCounts,
  type WorkerLog,
} from './bus-worker.js';
export { PartitionLeases, type LeaseOptions, type LeaseRound } from './partition-leases.js';
