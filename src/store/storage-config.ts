// Where the store lives, chosen in config: an SQLite file (the embedded default, `--db`) or a
// PostgreSQL schema that several gateways and detector workers share (docs/scale.md).
import { z } from 'zod';
import { DistillGuardError } from '../core/index.js';
import { openPgStore } from './postgres/open-pg-store.js';
import type { PgStore } from './postgres/pg-store.js';

export const storageConfigSchema = z
  .strictObject({
    /** sqlite: the file given with --db; postgres: the database at `url`, shared. */
    kind: z.enum(['sqlite', 'postgres']).default('sqlite'),
    /** postgres://user@host:5432/database; required for postgres. Put no password here: use password_env. */
    url: z.string().min(1).optional(),
    /** Name of the environment variable holding PostgreSQL's password (never the password itself). */
    password_env: z.string().min(1).optional(),
    /** The schema the tables live in, made when missing: several deployments can share one database. */
    schema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a plain PostgreSQL name: lower-case letters, digits and _')
      .default('distillguard'),
    /** Connections each process keeps open. */
    pool_size: z.number().int().positive().max(100).default(8),
  })
  .superRefine((value, context) => {
    if (value.kind === 'postgres' && value.url === undefined)
      context.addIssue({
        code: 'custom',
        path: ['url'],
        message:
          'storage.kind "postgres" needs storage.url, e.g. "postgres://distillguard@127.0.0.1:5432/distillguard"',
      });
    if (value.url !== undefined && !/^postgres(ql)?:\/\//.test(value.url))
      context.addIssue({
        code: 'custom',
        path: ['url'],
        message: `storage.url must start with postgres:// (got '${value.url.split(':')[0]}:')`,
      });
    if (value.url !== undefined && new URL(value.url).password !== '')
      context.addIssue({
        code: 'custom',
        path: ['url'],
        message:
          'storage.url holds a password: put it in an environment variable and name that in storage.password_env',
      });
    if (value.kind === 'sqlite' && (value.url !== undefined || value.password_env !== undefined))
      context.addIssue({
        code: 'custom',
        path: ['kind'],
        message:
          'storage.url or password_env is set but storage.kind is "sqlite": set kind to "postgres", or remove them',
      });
  });

export type StorageConfig = z.output<typeof storageConfigSchema>;

/**
 * Opens the PostgreSQL store `config` names.
 * @throws DistillGuardError('usage') when its password variable is unset, ('engine_unavailable') when PostgreSQL does not answer
 */
export async function openPostgresStorage(config: StorageConfig): Promise<PgStore> {
  if (config.kind !== 'postgres' || config.url === undefined)
    throw new DistillGuardError('usage', 'storage.kind is not "postgres".');
  let password: string | undefined;
  if (config.password_env !== undefined) {
    password = process.env[config.password_env];
    if (password === undefined || password === '')
      throw new DistillGuardError(
        'usage',
        `storage.password_env names ${config.password_env}, which is not set: export it with PostgreSQL's password.`,
      );
  }
  return openPgStore({
    url: config.url,
    schema: config.schema,
    poolSize: config.pool_size,
    ...(password !== undefined ? { password } : {}),
  });
}
