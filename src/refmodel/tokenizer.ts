// The reference model's BPE tokenizer: cl100k_base from gpt-tokenizer (the encoding of GPT-4 and
// GPT-3.5-turbo), so token ids, logit_bias keys and usage counts mean what they mean at OpenAI.
import { decode, encode, EndOfText } from 'gpt-tokenizer/encoding/cl100k_base';
import bpeRanks from 'gpt-tokenizer/bpeRanks/cl100k_base';

/** Token id of `<|endoftext|>` in cl100k_base: the model's end-of-text (and start-of-document) token. */
export const endOfTextToken = 100257;
export const endOfTextText = EndOfText;
export const tokenizerName = 'cl100k_base';

const utf8 = new TextEncoder();
const ranks = bpeRanks as unknown as readonly (string | readonly number[] | undefined)[];

/** Token ids of `text`; special-token text such as `<|endoftext|>` is encoded as ordinary text. */
export function encodeText(text: string): number[] {
  return encode(text, { disallowedSpecial: new Set() });
}

/** Text of `tokens` (bytes joined, then decoded once, so characters split over tokens come out whole). */
export function decodeTokens(tokens: readonly number[]): string {
  return decode(tokens.filter((token) => token !== endOfTextToken));
}

/** The raw bytes a token stands for (the end-of-text token has none). */
export function tokenBytes(token: number): Uint8Array {
  if (token === endOfTextToken) return new Uint8Array(0);
  const value = ranks[token];
  if (value === undefined) throw new RangeError(`token ${token} is not in ${tokenizerName}`);
  return typeof value === 'string' ? utf8.encode(value) : Uint8Array.from(value);
}
