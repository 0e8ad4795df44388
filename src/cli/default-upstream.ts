// The upstream used when none is configured: the built-in reference model, in-process.
export interface LocalUpstream {
  url: string;
  close(): Promise<void>;
}

export async function startDefaultUpstream(): Promise<LocalUpstream> {
  const { startReferenceModelServer } = await import('../refmodel/index.js');
  const server = await startReferenceModelServer({ port: 0, host: '127.0.0.1' });
  return { url: `${server.url.replace(/\/+$/, '')}/v1`, close: () => server.close() };
}
