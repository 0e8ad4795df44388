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
  /**
   * Optional: picks the token itself instead of the sampler's uniform draw (distortion-free schemes
   * such as Aaronson's Gumbel/EXP watermark need their own keyed draw). Called after `process`,
   * temperature and top_p, unless temperature is 0. `weights` are the candidates' unnormalised
   * probabilities (0 for tokens outside top_p or banned). Return the chosen slot, or -1 to let the
   * sampler draw as usual (for example for a context already watermarked once in this generation).
   */
  choose?(context: readonly number[], candidates: Int32Array, weights: Float64Array): number;
}
