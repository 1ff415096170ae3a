package dev.locus.patching;

import dev.locus.model.Point;
import java.util.Locale;

/**
 * Where an intervention acts. The residual-stream points keep their model names
 * ({@code resid_pre.0} alias {@code embed}, {@code resid_post.L}, {@code attn_out.L},
 * {@code mlp_out.L}); {@code block_out.L} is block L's additive contribution
 * {@code resid_post.L - resid_pre.L}, swapped while the recipient keeps its own residual input.
 */
public record PatchPoint(Site site, int layer) {
    public enum Site {
        RESID_PRE,
        RESID_POST,
        BLOCK_OUT,
        ATTN_OUT,
        MLP_OUT;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public PatchPoint {
        if (layer < 0 || (site == Site.RESID_PRE && layer != 0)) {
            throw new IllegalArgumentException("no point " + site.label() + "." + layer);
        }
    }

    public static PatchPoint of(Site site, int layer) {
        return new PatchPoint(site, layer);
    }

    /** Parses a point name: a model {@link Point} name, or {@code block_out.L}. */
    public static PatchPoint parse(String name) {
        String blockOut = Site.BLOCK_OUT.label() + ".";
        try {
            if (name.startsWith(blockOut)) {
                return new PatchPoint(Site.BLOCK_OUT, Point.parse(Site.RESID_POST.label() + "." + name.substring(blockOut.length())).layer());
            }
            Point point = Point.parse(name);
            return new PatchPoint(Site.valueOf(point.site().name()), point.layer());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown point \"" + name
                    + "\": expected embed, resid_pre.L, resid_post.L, block_out.L, attn_out.L or mlp_out.L");
        }
    }

    /** Throws unless the point exists in a model of {@code numLayers} blocks. */
    public PatchPoint checkedFor(int numLayers) {
        if (layer >= numLayers) {
            throw new IllegalArgumentException(
                    name() + ": layer " + layer + " out of range, the models have layers 0.." + (numLayers - 1));
        }
        return this;
    }

    /** The first block a patched run must evaluate: everything below it is the recipient's clean run. */
    public int resumeLayer() {
        return switch (site) {
            case RESID_PRE -> 0;
            case RESID_POST, BLOCK_OUT -> layer + 1;
            case ATTN_OUT, MLP_OUT -> layer;
        };
    }

    public String name() {
        return site.label() + "." + layer;
    }

    @Override
    public String toString() {
        return name();
    }
}
