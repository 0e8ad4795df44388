// Writes a result file whole or not at all (temp file + rename), so a failed run never leaves half a report.
import { rename, unlink, writeFile } from 'node:fs/promises';
import { DistillGuardError } from '../core/index.js';

export async function writeOutputFile(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, text);
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw new DistillGuardError('output_unwritable', `cannot write '${path}': ${(error as Error).message}. Check the path.`, { cause: error });
  }
}
