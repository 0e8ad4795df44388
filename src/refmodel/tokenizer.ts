// The reference model's BPE tokenizer: cl100k_base from gpt-tokenizer (the encoding of GPT-4 and
// GPT-3.5-turbo), so token ids, logit_bias keys and usage counts mean what they mean at OpenAI.
// Loaded on first use (about 50 MB of memory): a gateway without tracer watermarks, and every
// command that never tokenizes, does not pay for it.
import { createRequire } from 'node:module';

type Encoding = typeof import('gpt-tokenizer/encoding/cl100k_base');
const require = createRequire(import.meta.url);
let loaded: {
  encoding: Encoding;
  ranks: readonly (string | readonly number[] | undefined)[];
} | null = null;
function cl100k(): NonNullable<typeof loaded> {
  return (loaded ??= {
    encoding: require('gpt-tokenizer/encoding/cl100k_base') as Encoding,
    ranks: (
      require('gpt-tokenizer/bpeRanks/cl100k_base') as {
        default: readonly (string | readonly number[] | undefined)[];
      }
    ).default,
  });
}

/** Token id of `<|endoftext|>` in cl100k_base: the model's end-of-text (and start-of-document) token. */
export const endOfTextToken = 100257;
export const endOfTextText = '<|endoftext|>';
export const tokenizerName = 'cl100k_base';

const utf8 = new TextEncoder();

/** Token ids of `text`; special-token text such as `<|endoftext|>` is encoded as ordinary text. */
export function encodeText(text: string): number[] {
  return cl100k().encoding.encode(text, { disallowedSpecial: new Set() });
}

/** Text of `tokens` (bytes joined, then decoded once, so characters split over tokens come out whole). */
export function decodeTokens(tokens: readonly number[]): string {
  return cl100k().encoding.decode(tokens.filter((token) => token !== endOfTextToken));
}

/** The raw bytes a token stands for (the end-of-text token has none). */
export function tokenBytes(token: number): Uint8Array {
  if (token === endOfTextToken) return new Uint8Array(0);
  const value = cl100k().ranks[token];
  if (value === undefined) throw new RangeError(`token ${token} is not in ${tokenizerName}`);
  return typeof value === 'string' ? utf8.encode(value) : Uint8Array.from(value);
}
