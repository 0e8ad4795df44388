// Turns OpenAI chat messages into the text the model continues: each message's text content, in
// order, separated by blank lines, ending with a blank line so the reply starts a new paragraph.
// Roles, images, tool calls and tool definitions carry no text the n-gram model can use.

export interface ChatContentPart {
  type: string;
  text?: string;
}

export interface ChatMessageInput {
  role: string;
  content?: string | readonly ChatContentPart[] | null;
}

/** The text parts of one message's content. */
export function messageText(content: ChatMessageInput['content']): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content
    .map((part) => (typeof part.text === 'string' ? part.text : ''))
    .filter(Boolean)
    .join('\n');
}

/** The prompt text for a chat: messages' texts joined by blank lines, then a blank line. */
export function chatPromptText(messages: readonly ChatMessageInput[]): string {
  const texts = messages
    .map((message) => messageText(message.content).trim())
    .filter((text) => text.length > 0);
  return texts.length === 0 ? '' : `${texts.join('\n\n')}\n\n`;
}
