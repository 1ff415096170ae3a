package dev.locus.model;

/**
 * Rows of several sequences that share a prefix, run as one matrix: each row has its absolute
 * position and a group. Group 0 is the shared prefix (a prompt); rows of group g &gt; 0 (a
 * completion) see the prefix and their own group, never another completion. Large matrices keep
 * the BLAS busy where three small segments (prompt, chosen, rejected) would not.
 */
public record Packing(int[] positions, int[] groups) {
    public Packing {
        if (positions.length != groups.length) {
            throw new IllegalArgumentException(positions.length + " positions for " + groups.length + " groups");
        }
    }

    /** Rows {@code offset..offset+rows-1} of one sequence. */
    public static Packing contiguous(int offset, int rows) {
        int[] positions = new int[rows];
        for (int i = 0; i < rows; i++) {
            positions[i] = offset + i;
        }
        return new Packing(positions, new int[rows]);
    }

    public int rows() {
        return positions.length;
    }

    /** Whether row i may attend to row j of the same packing. */
    boolean sees(int i, int j) {
        return positions[j] <= positions[i] && (groups[j] == groups[i] || groups[j] == 0);
    }

    int maxPosition() {
        int max = -1;
        for (int p : positions) {
            max = Math.max(max, p);
        }
        return max;
    }
}
