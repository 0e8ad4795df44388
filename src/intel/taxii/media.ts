// TAXII 2.1 media types (specification 1.6.8): what a client may ask for (Accept) and send
// (Content-Type), and the error message resource every refusal is written in.
import type { FastifyReply } from 'fastify';

export const taxiiMediaType = 'application/taxii+json;version=2.1';
export const stixMediaType = 'application/stix+json;version=2.1';

interface MediaRange {
  type: string;
  version: string | null;
}

function parseRanges(header: string): MediaRange[] {
  return header.split(',').map((part) => {
    const [type, ...parameters] = part.split(';').map((item) => item.trim().toLowerCase());
    const version = parameters.find((item) => item.startsWith('version='))?.slice(8) ?? null;
    return { type, version };
  });
}

/** Whether an Accept header admits TAXII 2.1 JSON (absent: anything goes). */
export function acceptsTaxii(accept: string | undefined): boolean {
  if (!accept) return true;
  return parseRanges(accept).some(
    ({ type, version }) =>
      type === '*/*' ||
      type === 'application/*' ||
      (type === 'application/taxii+json' && (version === null || version === '2.1')),
  );
}

/** Whether a Content-Type is TAXII 2.1 JSON (the version parameter may be left out). */
export function isTaxiiContent(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [range] = parseRanges(contentType);
  return (
    range.type === 'application/taxii+json' && (range.version === null || range.version === '2.1')
  );
}

/** A TAXII error message resource (specification 3.6.1). */
export class TaxiiError extends Error {
  readonly status: number;
  readonly title: string;

  constructor(status: number, title: string, description: string) {
    super(description);
    this.status = status;
    this.title = title;
  }
}

export function sendTaxiiError(reply: FastifyReply, error: TaxiiError): FastifyReply {
  if (error.status === 401)
    reply.header(
      'www-authenticate',
      'Basic realm="DistillGuard TAXII", Bearer realm="DistillGuard TAXII"',
    );
  return reply
    .code(error.status)
    .header('content-type', taxiiMediaType)
    .send(
      Buffer.from(
        JSON.stringify({
          title: error.title,
          description: error.message,
          http_status: String(error.status),
        }),
      ),
    );
}
