// The audit's prompts: JSON Lines, one OpenAI chat body (`{messages, ...}`) or `{prompt}` per line.
// A `{prompt}` line is sent as one user message. Bad lines are returned with their line numbers.
import { chatPromptText, type ChatMessageInput } from '../refmodel/index.js';
import { parseJson, readLines, type RejectedLine } from './line-files.js';
import { isJsonObject } from '../core/index.js';

export interface AuditPrompt {
  /** Line number in the prompts file: the prompt's identity in the answers file and on resume. */
  line: number;
  /** The chat request body without `model` (set per suspect) and `stream`. */
  body: Record<string, unknown> & { messages: ChatMessageInput[] };
  /** The prompt's text as the suspect sees it: used to drop tuples the suspect could copy. */
  text: string;
}

export interface AuditPrompts {
  prompts: AuditPrompt[];
  rejected: RejectedLine[];
}

function isMessage(value: unknown): value is ChatMessageInput {
  return (
    isJsonObject(value) &&
    typeof value.role === 'string' &&
    (value.content === undefined ||
      value.content === null ||
      typeof value.content === 'string' ||
      Array.isArray(value.content))
  );
}

/** Reads and checks a prompts file; every bad line is reported, the good ones are kept. */
export async function readAuditPrompts(path: string): Promise<AuditPrompts> {
  const prompts: AuditPrompt[] = [];
  const rejected: RejectedLine[] = [];
  const overlong = (line: number) =>
    rejected.push({ file: path, line, reason: 'is longer than 64 MiB; split it' });
  for await (const { line, text } of readLines(path, overlong)) {
    const record = parseJson(text);
    if (!isJsonObject(record)) {
      rejected.push({
        file: path,
        line,
        reason: 'expected a JSON object with "messages" (a chat body) or "prompt" (a string)',
      });
      continue;
    }
    const { model: _model, stream: _stream, prompt, ...rest } = record;
    if (record.messages !== undefined) {
      if (
        !Array.isArray(record.messages) ||
        record.messages.length === 0 ||
        !record.messages.every(isMessage)
      ) {
        rejected.push({
          file: path,
          line,
          reason: 'field "messages" must be a non-empty array of {role, content} objects',
        });
        continue;
      }
      const messages = record.messages as ChatMessageInput[];
      prompts.push({ line, body: { ...rest, messages }, text: chatPromptText(messages) });
    } else if (typeof prompt === 'string' && prompt.trim().length > 0) {
      const messages: ChatMessageInput[] = [{ role: 'user', content: prompt }];
      prompts.push({ line, body: { ...rest, messages }, text: chatPromptText(messages) });
    } else {
      rejected.push({
        file: path,
        line,
        reason: 'expected "messages" (a chat body) or a non-empty string "prompt"',
      });
    }
  }
  return { prompts, rejected };
}
