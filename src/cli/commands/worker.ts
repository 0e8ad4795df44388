// `distillguard worker --config FILE`: a detector worker of a scale-out deployment. It takes its
// share of the bus's partitions and stores every event in PostgreSQL once by id (docs/scale.md);
// folding them into account state and clustering are not built yet.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Command } from 'commander';
import pino from 'pino';
import { DistillGuardError } from '../../core/index.js';
import { describeBus, loadNatsBus, natsBusOptions } from '../../bus/index.js';
import { readGatewayConfig } from '../../gateway/index.js';
import { openPostgresStorage } from '../../store/index.js';
import { withoutCredentials } from '../../core/index.js';
import { BusWorker } from '../../worker/index.js';
import { parsePositiveInteger } from '../options.js';

interface WorkerCommandOptions {
  config: string;
  id?: string;
  leaseMs: number;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description(
      'a detector worker: reads its share of the bus (NATS JetStream) and stores every event in PostgreSQL once',
    )
    .requiredOption(
      '--config <file>',
      'config file with `storage` (kind "postgres") and `bus` (kind "nats"): the same file the gateways use',
    )
    .option(
      '--id <name>',
      "this worker's name in the leases (default: host, pid and a random part)",
    )
    .option(
      '--lease-ms <ms>',
      "how long a partition stays with a worker that stopped answering (a killed worker's partitions move after this)",
      parsePositiveInteger,
      15_000,
    )
    .action(async (options: WorkerCommandOptions) => {
      const config = readGatewayConfig(options.config);
      if (config.storage.kind !== 'postgres')
        throw new DistillGuardError(
          'usage',
          `worker needs storage.kind "postgres" in ${options.config}: workers share one store, which SQLite cannot be.`,
        );
      if (config.bus.kind !== 'nats' || config.bus.servers === undefined)
        throw new DistillGuardError(
          'usage',
          `worker needs bus.kind "nats" and bus.servers in ${options.config}: it reads the events the gateways publish there.`,
        );
      const log = pino(
        { base: undefined, timestamp: pino.stdTimeFunctions.isoTime },
        pino.destination(2),
      );
      const store = await openPostgresStorage(config.storage);
      const { NatsBus } = await loadNatsBus();
      let bus;
      try {
        bus = await NatsBus.connect(natsBusOptions(config.bus));
      } catch (error) {
        await store.close();
        throw error;
      }
      const workerId =
        options.id ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
      const worker = await BusWorker.start({
        store,
        bus,
        workerId,
        host: hostname(),
        leaseMs: options.leaseMs,
        log,
      });
      log.info(
        { worker: workerId, partitions: worker.partitions },
        `distillguard worker ${workerId} started: store ${withoutCredentials(config.storage.url ?? '')} (schema ${config.storage.schema}), bus ${describeBus(config.bus)}, ${config.bus.partitions} partitions shared with the other workers`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGTERM', resolve);
        process.once('SIGINT', resolve);
      });
      await worker.stop();
      await bus.close();
      await store.close();
      log.info({ worker: workerId, ...worker.counts }, `distillguard worker ${workerId} stopped`);
    });
}
