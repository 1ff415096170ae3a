package dev.locus.data;

/** One preference comparison: the prompt, the completion people preferred, and the other one. */
public record PreferencePair(String id, String subset, String prompt, String chosen, String rejected) {}
