// --max-tokens: bounds how much the upstream generates per replayed request, for fast demos.

const limitFields = ['max_tokens', 'max_completion_tokens'] as const;

/**
 * A copy of `body` whose output-token limits are at most `cap`. A request with no limit gets
 * `max_tokens: cap`, since no limit means the upstream's (usually much larger) default.
 * @example capMaxTokens({ max_tokens: 4096 }, 16) // { max_tokens: 16 }
 */
export function capMaxTokens(body: Record<string, unknown>, cap: number): Record<string, unknown> {
  const capped = { ...body };
  let limited = false;
  for (const field of limitFields) {
    const value = capped[field];
    if (typeof value === 'number') {
      capped[field] = Math.min(value, cap);
      limited = true;
    }
  }
  if (!limited) capped.max_tokens = cap;
  return capped;
}
