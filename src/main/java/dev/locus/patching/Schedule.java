package dev.locus.patching;

/**
 * How runs are evaluated. Both give the same numbers (to float32 reordering); only the cost differs.
 * <ul>
 *   <li>{@code CACHED}: the prompt runs once for all completions (its keys and values are cached),
 *       every activation of the clean runs is kept, and a patched run starts at the patched layer;
 *   <li>{@code NAIVE}: every sequence runs whole from the embeddings, with the patch applied by a hook.
 * </ul>
 */
public enum Schedule {
    CACHED,
    NAIVE
}
