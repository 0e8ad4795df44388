// What a gateway start has opened so far (store, write thread, detector child, upstream pools),
// closed newest first when a later step fails, so a failed start exits instead of hanging.
import { DistillGuardError } from '../core/index.js';

export class StartupCleanup {
  private readonly steps: (() => Promise<unknown>)[] = [];

  /** Registers how to close something just opened. */
  add(close: () => Promise<unknown>): void {
    this.steps.push(close);
  }

  /** Closes everything registered, newest first; a failing close does not stop the others. */
  async run(): Promise<void> {
    for (const close of this.steps.splice(0).reverse()) await close().catch(() => undefined);
  }
}

/**
 * The one message a failed start ends with: DistillGuardErrors as they are; a store that refuses
 * writes (SQLite's own errors) as store_failed, naming the file; anything else as internal.
 */
export function startupError(error: unknown, databasePath: string): DistillGuardError {
  if (error instanceof DistillGuardError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.startsWith('SQLITE_')) {
    const readonly =
      code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM';
    const hint = readonly
      ? 'Check the permissions of the file, its -wal and -shm files and their folder'
      : 'Check the disk and the file';
    return new DistillGuardError(
      'store_failed',
      `the gateway could not start: store '${databasePath}': ${message}. ${hint}, then start again.`,
      { cause: error },
    );
  }
  return new DistillGuardError('internal', `the gateway could not start: ${message}`, {
    cause: error,
  });
}
