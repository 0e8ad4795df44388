// The error a user of the command line can act on: a stable code, a message that says what to do
// next, and the exit status the CLI maps it to (in cli/main.ts, once). Errors answered over HTTP
// have their own type, written once in their wire format: ApiError (gateway/api-error.ts, the
// caller's API family) and OpenAIRequestError (refmodel/server/openai-error.ts, OpenAI's shape).

export type ErrorCode =
  | 'input_unreadable'
  | 'input_invalid'
  | 'output_unwritable'
  | 'too_many_rejected'
  | 'usage'
  | 'store_failed'
  | 'gateway_unavailable'
  | 'engine_unavailable'
  | 'gateway_refused'
  | 'forbidden'
  | 'refused'
  | 'internal';

const exitCodes: Record<ErrorCode, number> = {
  input_unreadable: 2,
  input_invalid: 2,
  output_unwritable: 73,
  too_many_rejected: 3,
  usage: 64,
  store_failed: 4,
  gateway_unavailable: 69,
  engine_unavailable: 69,
  gateway_refused: 77,
  forbidden: 77,
  refused: 65,
  internal: 70,
};

/** Base error: every failure a user can act on is one of these. */
export class DistillGuardError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: number;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DistillGuardError';
    this.code = code;
    this.exitCode = exitCodes[code];
  }
}

/** Turns a Node system error on a path into a sentence a user can act on. */
export function describeFileError(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return `cannot read '${path}': no such file. Check the path, or pass '-' to read standard input.`;
    case 'EACCES':
    case 'EPERM':
      return `cannot read '${path}': permission denied. Check the file's permissions.`;
    case 'EISDIR':
      return `cannot read '${path}': it is a directory. Pass a .jsonl or .jsonl.gz file.`;
    default:
      return `cannot read '${path}': ${(error as Error | undefined)?.message ?? String(error)}`;
  }
}
