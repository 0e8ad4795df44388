// Writes a result file whole or not at all (temp file + rename), so a failed run never leaves half a report.
import { constants } from 'node:fs';
import { access, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DistillGuardError } from '../core/index.js';

export async function writeOutputFile(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, text);
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw new DistillGuardError(
      'output_unwritable',
      `cannot write '${path}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Check the path.`,
      { cause: error },
    );
  }
}

/** Fails fast, before long work, when `path` could not be written later. */
export async function checkOutputPath(path: string, option: string): Promise<void> {
  const folder = dirname(path) || '.';
  try {
    await access(folder, constants.W_OK);
  } catch {
    throw new DistillGuardError(
      'output_unwritable',
      `cannot write '${path}': folder '${folder}' does not exist or is not writable. Check ${option}.`,
    );
  }
}
