// Errors in OpenAI's wire shape: {error: {message, type, param, code}}, raised by handlers and
// written by the server's one error handler.

export class OpenAIRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly type = 'invalid_request_error',
  ) {
    super(message);
    this.name = 'OpenAIRequestError';
  }

  toBody(): {
    error: { message: string; type: string; param: string | null; code: string | null };
  } {
    return {
      error: { message: this.message, type: this.type, param: this.param, code: this.code },
    };
  }
}

interface ZodLikeIssue {
  path: readonly PropertyKey[];
  message: string;
}

/** The first zod issue as a 400 naming the parameter, e.g. "Invalid 'temperature': ...". */
export function fromValidationIssues(issues: readonly ZodLikeIssue[]): OpenAIRequestError {
  const issue = issues[0];
  const param = issue
    ? issue.path
        .map((part, index) =>
          typeof part === 'number' ? `[${part}]` : `${index > 0 ? '.' : ''}${String(part)}`,
        )
        .join('')
    : null;
  const message = issue
    ? `Invalid '${param || 'body'}': ${issue.message}.`
    : 'Invalid request body.';
  return new OpenAIRequestError(400, message, param || null, param ? 'invalid_value' : null);
}
