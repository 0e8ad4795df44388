// Records what the intelligence commands and the TAXII servers do in the transparency log: each
// export, import, push, pull and withdrawal is an entry (counts and hashes, never the objects),
// signed into a new checkpoint at once.
import { userInfo } from 'node:os';
import { loadLogSigner, TransparencyLog, type LogEntryBody } from '../designate/index.js';
import type { TaxiiReceipt } from '../intel/index.js';
import type { Store } from '../store/index.js';

/** An entry as a command states it: the time is added, and the actor when none is named. */
export interface LogEvent {
  kind: string;
  actor?: string;
  role?: string;
  [field: string]: unknown;
}

/** Who runs a command that takes no --as: the operating-system user. */
function operator(): string {
  try {
    return `os:${userInfo().username}`;
  } catch {
    return 'os:unknown';
  }
}

export interface LogRecorder {
  record(event: LogEvent): Promise<number>;
}

/** A recorder on `store` (the log's key beside the database, or `logKeyFile`). */
export async function logRecorder(
  store: Store,
  databasePath: string,
  logKeyFile?: string,
): Promise<LogRecorder> {
  const log = new TransparencyLog(
    store.designation,
    await loadLogSigner({ databasePath, file: logKeyFile, store }),
  );
  return {
    async record(event) {
      const { actor, role, kind, ...rest } = event;
      const body: LogEntryBody = {
        ...rest,
        kind,
        at: new Date().toISOString(),
        actor: actor ?? operator(),
        role: role ?? 'operator',
      };
      const index = await log.append(body);
      await log.checkpoint();
      return index;
    },
  };
}

/** A TAXII post as a log entry: the partner is the actor. */
export function taxiiReceiptEvent(receipt: TaxiiReceipt): LogEvent {
  return {
    kind: 'intel.import',
    actor: receipt.partner,
    role: 'partner',
    channel: 'taxii',
    collection: receipt.collection,
    sha256: receipt.sha256,
    objects: receipt.objects,
    added: receipt.added,
    rejected: receipt.rejected,
  };
}
