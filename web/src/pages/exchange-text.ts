// An interaction record (contracts/interaction.schema.json) as text a person reads: who said what
// in the request (OpenAI Chat, Completions, Responses or Anthropic Messages bodies) and the answer
// the model gave. Parts it does not know are named, not dropped.

type Loose = Record<string, unknown>;

export interface Turn {
  role: string;
  text: string;
}

const isObject = (value: unknown): value is Loose =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** One content part (text, image, tool call or result) as text. */
function partText(part: unknown): string {
  if (typeof part === 'string') return part;
  if (!isObject(part)) return JSON.stringify(part);
  if (typeof part.text === 'string') return part.text;
  const type = typeof part.type === 'string' ? part.type : 'part';
  if (type.includes('image')) return '[image]';
  if (type === 'tool_use' || type === 'function_call') {
    const input = part.input ?? part.arguments ?? {};
    return `[tool call ${String(part.name ?? '')}: ${typeof input === 'string' ? input : JSON.stringify(input)}]`;
  }
  if (type === 'tool_result' || type === 'function_call_output')
    return `[tool result: ${contentText(part.content ?? part.output)}]`;
  return `[${type}]`;
}

/** Message content: a string or a list of parts. */
function contentText(content: unknown): string {
  if (content === undefined || content === null) return '';
  if (Array.isArray(content)) return content.map(partText).join('\n');
  return partText(content);
}

function toolCallsText(message: Loose): string {
  const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
  return calls
    .map((call) => {
      const fn = isObject(call) && isObject(call.function) ? call.function : {};
      return `[tool call ${String(fn.name ?? '')}: ${String(fn.arguments ?? '')}]`;
    })
    .join('\n');
}

function messageTurns(messages: unknown): Turn[] {
  if (!Array.isArray(messages)) return [];
  return messages.map((message) => {
    if (!isObject(message)) return { role: 'message', text: partText(message) };
    // an item with no content is itself the part (a Responses function_call or its output)
    const text =
      message.content === undefined && message.tool_calls === undefined
        ? partText(message)
        : [contentText(message.content), toolCallsText(message)].filter(Boolean).join('\n');
    return { role: String(message.role ?? message.type ?? 'message'), text };
  });
}

/** The request's turns, the system prompt first. */
export function requestTurns(request: unknown): Turn[] {
  if (!isObject(request)) return [];
  const turns: Turn[] = [];
  if (request.system !== undefined)
    turns.push({ role: 'system', text: contentText(request.system) });
  if (typeof request.instructions === 'string')
    turns.push({ role: 'system', text: request.instructions });
  turns.push(...messageTurns(request.messages));
  if (request.prompt !== undefined) {
    const prompts = Array.isArray(request.prompt) ? request.prompt : [request.prompt];
    turns.push(...prompts.map((prompt) => ({ role: 'prompt', text: partText(prompt) })));
  }
  if (typeof request.input === 'string') turns.push({ role: 'user', text: request.input });
  else turns.push(...messageTurns(request.input));
  return turns;
}

/** The whole exchange as text: the request's turns, then the answer with its status. */
export function exchangeText(record: unknown): string {
  const exchange = isObject(record) ? record : {};
  const turns = requestTurns(exchange.request);
  const lines: string[] = [
    `${String(exchange.api ?? '')} · ${String(exchange.model ?? '')} · ${String(exchange.ts ?? '')}`,
    '',
  ];
  for (const turn of turns) lines.push(`── ${turn.role} ──`, turn.text, '');
  if (turns.length === 0) lines.push('(no messages or prompt in the request)', '');
  const response = isObject(exchange.response) ? exchange.response : null;
  if (!response) {
    lines.push('── answer ──', '(the record holds no response)');
    return lines.join('\n');
  }
  const status = [response.status, response.finish_reason].filter((item) => item !== undefined);
  if (typeof response.reasoning === 'string' && response.reasoning)
    lines.push('── reasoning ──', response.reasoning, '');
  lines.push(`── answer${status.length > 0 ? ` (${status.join(', ')})` : ''} ──`);
  lines.push(typeof response.text === 'string' && response.text ? response.text : '(no text)');
  if (Array.isArray(response.tool_calls) && response.tool_calls.length > 0)
    lines.push('', '── tool calls ──', JSON.stringify(response.tool_calls, null, 2));
  return lines.join('\n');
}
