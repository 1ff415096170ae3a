package dev.locus.patching;

import java.util.List;

/**
 * Token ids of one prompt and its completions (a preference pair has two: chosen, rejected), used
 * exactly as given. The sequences scored are prompt + completion; the boundary K is the prompt length.
 */
public record Prompted(String id, int[] prompt, List<int[]> completions) implements java.io.Serializable {
    public Prompted {
        if (prompt.length == 0) {
            throw new IllegalArgumentException(id + ": empty prompt: the first completion token needs a position to be read at");
        }
        if (completions.isEmpty()) {
            throw new IllegalArgumentException(id + ": no completion");
        }
        for (int[] c : completions) {
            if (c.length == 0) {
                throw new IllegalArgumentException(id + ": empty completion");
            }
        }
        completions = List.copyOf(completions);
    }

    public int boundary() {
        return prompt.length;
    }

    /** prompt + completion i. */
    public int[] sequence(int i) {
        int[] c = completions.get(i);
        int[] all = new int[prompt.length + c.length];
        System.arraycopy(prompt, 0, all, 0, prompt.length);
        System.arraycopy(c, 0, all, prompt.length, c.length);
        return all;
    }

}
