// Pulls the parts of a request body that detection reads, from OpenAI Chat/Completions/Responses
// and Anthropic Messages bodies alike: the newest user text, the system prompt, turn counts, tools.
import { isJsonObject, type JsonObject } from '../../core/index.js';

export interface PromptParts {
  /** Text of the newest user message (tool results excluded). */
  user: string;
  /** System or developer prompt text ('' if none). */
  system: string;
  /** User messages in the conversation (a growing history means a multi-turn chat). */
  userTurns: number;
  /** Whether the conversation carries tool calls or tool results (an agent loop). */
  toolHistory: boolean;
  /** Names of the tools offered, sorted. */
  toolNames: string[];
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) {
    if (isJsonObject(part)) {
      const block = part;
      if ((block.type === 'text' || block.type === 'input_text') && typeof block.text === 'string')
        text += (text ? '\n' : '') + block.text;
    } else if (typeof part === 'string') {
      text += (text ? '\n' : '') + part;
    }
  }
  return text;
}

function hasToolBlocks(content: unknown): boolean {
  return (
    Array.isArray(content) &&
    content.some(
      (part) => isJsonObject(part) && (part.type === 'tool_result' || part.type === 'tool_use'),
    )
  );
}

function toolNames(tools: unknown): string[] {
  if (!Array.isArray(tools)) return [];
  const names: string[] = [];
  for (const tool of tools) {
    if (!isJsonObject(tool)) continue;
    const entry = tool;
    const name =
      typeof entry.name === 'string'
        ? entry.name
        : (entry.function as JsonObject | undefined)?.name;
    if (typeof name === 'string') names.push(name);
  }
  return names.sort();
}

/** Reads `request` as sent on `api` (unknown shapes give empty parts, never an error). */
export function promptParts(api: string, request: JsonObject): PromptParts {
  const parts: PromptParts = {
    user: '',
    system: '',
    userTurns: 0,
    toolHistory: false,
    toolNames: toolNames(request.tools),
  };
  if (api === 'openai.completions') {
    const prompt = request.prompt;
    parts.user =
      typeof prompt === 'string'
        ? prompt
        : Array.isArray(prompt)
          ? prompt.filter((item) => typeof item === 'string').join('\n')
          : '';
    parts.userTurns = parts.user ? 1 : 0;
    return parts;
  }
  if (api === 'openai.responses') {
    parts.system = typeof request.instructions === 'string' ? request.instructions : '';
    if (typeof request.input === 'string') {
      parts.user = request.input;
      parts.userTurns = 1;
      return parts;
    }
  }
  if (api === 'anthropic.messages') parts.system = textOf(request.system);
  const messages = Array.isArray(request.messages)
    ? request.messages
    : Array.isArray(request.input)
      ? request.input
      : [];
  for (const message of messages) {
    if (!isJsonObject(message)) continue;
    const { role, content } = message;
    if (role === 'system' || role === 'developer') {
      parts.system += (parts.system ? '\n' : '') + textOf(content);
    } else if (role === 'user') {
      if (hasToolBlocks(content)) parts.toolHistory = true;
      const text = textOf(content);
      if (text) {
        parts.user = text;
        parts.userTurns += 1;
      }
    } else if (role === 'tool' || message.type === 'function_call_output') {
      parts.toolHistory = true;
    } else if (role === 'assistant') {
      if (message.tool_calls || hasToolBlocks(content)) parts.toolHistory = true;
    }
  }
  return parts;
}
