// Paths the tests use: the repository root, the built CLI, and the shared folder beside the clone.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sharedFolderVariable } from '../core/index.js';

export const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const cliPath = join(repositoryRoot, 'dist/src/cli/main.js');

/** ../shared beside the checkout (override with DISTILLGUARD_SHARED); null when absent. */
export function sharedDirectory(): string | null {
  const candidate = process.env[sharedFolderVariable] ?? join(repositoryRoot, '..', 'shared');
  return existsSync(join(candidate, 'contracts')) ? candidate : null;
}

export function temporaryDirectory(prefix = 'distillguard-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
