// The upstream used when none is configured: the built-in reference model, in-process.
import { DistillGuardError } from '../core/index.js';

export interface LocalUpstream {
  url: string;
  close(): Promise<void>;
}

export async function startDefaultUpstream(): Promise<LocalUpstream> {
  throw new DistillGuardError('usage', 'no upstream: pass --upstream URL or --config FILE.');
}
