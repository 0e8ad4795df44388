// What a simulated account does on one request, independent of wire format: the conversation so
// far, the tools offered, sampling parameters and the model's reply. render.ts turns it into a record.
import type { Account, AccountLabel } from '../core/index.js';
import type { ToolFunction } from './fixtures.js';
import type { Random } from './random.js';

export type SimApi = 'openai.chat' | 'openai.completions' | 'anthropic.messages';

export interface ToolCall {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

export type SimMessage =
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: ToolCall[] }
  | { role: 'tool'; toolCallId: string; content: string };

export interface ExchangeReply {
  text: string;
  reasoning?: string;
  toolCalls?: ToolCall[];
  /** 'stop', 'length' or 'tool_calls' (mapped to the API's own words when rendered). */
  finish?: 'stop' | 'length' | 'tool_calls';
}

export interface Exchange {
  api: SimApi;
  model: string;
  system?: string;
  /** The conversation up to and including the new user (or tool) turn. For completions: one user message, the prompt. */
  messages: SimMessage[];
  tools?: ToolFunction[];
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  n?: number;
  logprobs?: boolean;
  topLogprobs?: number;
  stream?: boolean;
  /** Replies, one per choice (n). */
  replies: ExchangeReply[];
  /** HTTP status; non-2xx exchanges carry no reply text. */
  status?: number;
}

export interface ClientInfo {
  ip: string;
  asn: number;
  country: string;
  userAgent: string;
}

export interface SimAccount {
  id: string;
  keyIds: string[];
  label: AccountLabel;
  record: Account;
  /** Where a request at `ts` comes from. */
  client(random: Random, ts: number): ClientInfo;
}

/** One request to render: when, by whom, and how to build it (deterministic given the random stream). */
export interface SimEvent {
  ts: number;
  account: SimAccount;
  build(random: Random): Exchange;
}
