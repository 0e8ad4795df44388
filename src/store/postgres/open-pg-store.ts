// Opens the PostgreSQL store with all its parts on one connection pool.
import type { PgOptions } from './pg-database.js';
import { PgDashboardTables } from './pg-dashboard-tables.js';
import { PgDesignationTables } from './pg-designation-tables.js';
import { PgIntelTables } from './pg-intel-tables.js';
import { PgStore } from './pg-store.js';
import { PgTaxiiTables } from './pg-taxii-tables.js';

/**
 * Connects to PostgreSQL, applies the migrations the schema lacks and returns the store.
 * @throws DistillGuardError('engine_unavailable') when PostgreSQL does not answer
 */
export function openPgStore(options: PgOptions): Promise<PgStore> {
  return PgStore.open(options, (database) => ({
    intel: new PgIntelTables(database),
    taxii: new PgTaxiiTables(database),
    designation: new PgDesignationTables(database),
    dashboard: new PgDashboardTables(database),
  }));
}
