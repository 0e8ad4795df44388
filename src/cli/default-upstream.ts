// The upstream used when none is configured: the built-in reference model, in-process.
import { defaultListenHost } from '../core/listen-defaults.js';
import type { WatermarkKey } from '../watermark/index.js';
export interface LocalUpstream {
  url: string;
  close(): Promise<void>;
}

/** With `watermarkMaster`, requests of a tracer cohort are sampled under that cohort's key. */
export async function startDefaultUpstream(
  options: { watermarkMaster?: WatermarkKey } = {},
): Promise<LocalUpstream> {
  const { startReferenceModelServer } = await import('../refmodel/index.js');
  const { cohortWatermarkProcessors } = await import('../watermark/index.js');
  const logitsProcessorFor = options.watermarkMaster
    ? cohortWatermarkProcessors(options.watermarkMaster)
    : undefined;
  const server = await startReferenceModelServer({
    port: 0,
    host: defaultListenHost,
    logitsProcessorFor,
  });
  return { url: `${server.url.replace(/\/+$/, '')}/v1`, close: () => server.close() };
}
