// Finds the logs in a traffic folder as `distillguard simulate --out DIR` writes them.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DistillGuardError } from '../core/index.js';

export interface TrafficFiles {
  interactions: string;
  /** null when the folder has no accounts file: keys are still created, no account records are posted. */
  accounts: string | null;
}

function firstExisting(folder: string, name: string): string | null {
  for (const candidate of [`${name}.jsonl`, `${name}.jsonl.gz`]) {
    const path = join(folder, candidate);
    if (existsSync(path)) return path;
  }
  return null;
}

export function findTrafficFiles(folder: string): TrafficFiles {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new DistillGuardError(
      'input_unreadable',
      `--traffic '${folder}' is not a folder. Pass the folder 'distillguard simulate --out DIR' wrote.`,
    );
  }
  const interactions = firstExisting(folder, 'interactions');
  if (!interactions) {
    throw new DistillGuardError(
      'input_unreadable',
      `no interactions.jsonl or interactions.jsonl.gz in '${folder}'. Create one with 'distillguard simulate --out ${folder}'.`,
    );
  }
  return { interactions, accounts: firstExisting(folder, 'accounts') };
}
