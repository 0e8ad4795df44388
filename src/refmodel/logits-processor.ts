// The hook a watermark plugs into: it sees the candidates' logits after logit_bias and before
// temperature, top_p and the draw, and may change them in place (KGW adds δ to a keyed green list).

/**
 * Changes next-token logits before sampling. Called once per generated token.
 * - `context`: every token id so far (prompt, then generated), oldest first.
 * - `candidates`: the token ids (cl100k_base) the sampler may draw; parallel to `logits`.
 * - `logits`: natural-log scores of the candidates (model log-probabilities plus logit_bias);
 *   -Infinity means banned. Edit in place; do not keep references after the call.
 * The candidate set is a deterministic function of the context and the request's logit_bias, so a
 * keyed processor can be replayed by a detector.
 */
export interface LogitsProcessor {
  process(context: readonly number[], candidates: Int32Array, logits: Float64Array): void;
}
