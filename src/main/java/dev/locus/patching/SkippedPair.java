package dev.locus.patching;

/**
 * A pair left out, and why (too long, tokens that do not decode back to the text, no completion
 * tokens): what encoding gave instead of tokens, a margins file's line for it, and an entry in every
 * result's list of skipped pairs. A pair is never dropped without one.
 */
public record SkippedPair(String id, String reason) implements PairEncoder.Encoded, PairMargins {}
