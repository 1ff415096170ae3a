package dev.locus.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * A named point of the residual stream, spelled the same everywhere (code, CLI, results, reports):
 * {@code resid_pre.0} (alias {@code embed}) is the embeddings; {@code attn_out.L} and
 * {@code mlp_out.L} are block L's two additive contributions; {@code resid_post.L} is block L's
 * output. Layers are 0-based. {@code resid_pre.L} for L &gt; 0 is the same tensor as
 * {@code resid_post.(L-1)} and is parsed to that one name, so a point never has two.
 *
 * <p>{@code block_out.L} is derived: block L's whole contribution {@code resid_post.L - resid_pre.L}
 * (attention plus MLP). The forward pass never emits it to a {@link Hook}; a caller computes it
 * from the two residual points ({@link #derived()}).
 */
public record Point(Site site, int layer) implements java.io.Serializable {
    /** Where in the architecture the point sits. */
    public enum Site {
        RESID_PRE,
        ATTN_OUT,
        MLP_OUT,
        RESID_POST,
        BLOCK_OUT;

        @JsonValue
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Site parse(String label) {
            for (Site s : values()) {
                if (s.label().equals(label)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("unknown site \"" + label + "\": expected resid_pre, attn_out, mlp_out, resid_post or block_out");
        }

        @Override
        public String toString() {
            return label();
        }
    }

    public static final Point EMBED = new Point(Site.RESID_PRE, 0);

    public Point {
        if (layer < 0) {
            throw new IllegalArgumentException("layer must be >= 0, found " + layer);
        }
        if (site == Site.RESID_PRE && layer != 0) {
            throw new IllegalArgumentException("resid_pre." + layer + " is resid_post." + (layer - 1));
        }
    }

    public static Point residPost(int layer) {
        return new Point(Site.RESID_POST, layer);
    }

    public static Point attnOut(int layer) {
        return new Point(Site.ATTN_OUT, layer);
    }

    public static Point mlpOut(int layer) {
        return new Point(Site.MLP_OUT, layer);
    }

    public static Point blockOut(int layer) {
        return new Point(Site.BLOCK_OUT, layer);
    }

    /** Whether the forward pass computes this point from others instead of emitting it. */
    public boolean derived() {
        return site == Site.BLOCK_OUT;
    }

    /** The first block a pass must evaluate after a change at this point: everything below it is unchanged. */
    public int resumeLayer() {
        return switch (site) {
            case RESID_PRE -> 0;
            case RESID_POST, BLOCK_OUT -> layer + 1;
            case ATTN_OUT, MLP_OUT -> layer;
        };
    }

    /** Parses a point name; the message of the exception lists the valid forms. */
    public static Point parse(String name) {
        if (name.equals("embed")) {
            return EMBED;
        }
        int dot = name.lastIndexOf('.');
        String help = "unknown point \"" + name + "\": expected embed, resid_pre.L, resid_post.L, block_out.L, attn_out.L or mlp_out.L";
        if (dot <= 0) {
            throw new IllegalArgumentException(help);
        }
        int layer;
        try {
            layer = Integer.parseInt(name.substring(dot + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(help);
        }
        if (layer < 0) {
            throw new IllegalArgumentException(help);
        }
        return switch (name.substring(0, dot)) {
            case "resid_pre" -> layer == 0 ? EMBED : residPost(layer - 1);
            case "resid_post" -> residPost(layer);
            case "attn_out" -> attnOut(layer);
            case "mlp_out" -> mlpOut(layer);
            case "block_out" -> blockOut(layer);
            default -> throw new IllegalArgumentException(help);
        };
    }

    /** Throws unless the point exists in a model of {@code numLayers} blocks. */
    public Point checkedFor(int numLayers) {
        if (layer >= numLayers) {
            throw new IllegalArgumentException(
                    name() + ": layer " + layer + " out of range, the model has layers 0.." + (numLayers - 1));
        }
        return this;
    }

    public String name() {
        return site.label() + "." + layer;
    }

    @Override
    public String toString() {
        return name();
    }
}
