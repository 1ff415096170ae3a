package dev.locus.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which Hugging Face tensor fills which {@link Role} in a family's checkpoints, in the order the
 * family's blocks hold them. Validation, loading, random generation, the parameter count and the
 * fixtures all read a checkpoint's tensors from here.
 */
public final class Layout {
    /** One tensor a checkpoint of a config must hold: {@code layer} is -1 for a model-wide one. */
    public record Tensor(Role role, int layer, String name, long[] shape) {
        public long elements() {
            return Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        }
    }

    private static final Map<Role, String> MODEL_WIDE = Map.of(
            Role.EMBED, "model.embed_tokens.weight",
            Role.FINAL_NORM, "model.norm.weight",
            Role.HEAD, "lm_head.weight");

    /** Block role to the name after {@code model.layers.L.}, in the family's order. */
    private final Map<Role, String> block;

    private Layout(Map<Role, String> block) {
        this.block = block;
    }

    /** A block role and its name after {@code model.layers.L.}. */
    record Slot(Role role, String within) {
        Slot {
            if (!role.perBlock()) {
                throw new IllegalArgumentException(role + " is model-wide");
            }
        }
    }

    static Slot slot(Role role, String within) {
        return new Slot(role, within);
    }

    /** What every family's block starts with: the norm before attention and the q, k, v projections. */
    static final List<Slot> ATTENTION_INPUTS = List.of(
            slot(Role.INPUT_NORM, "input_layernorm.weight"),
            slot(Role.Q, "self_attn.q_proj.weight"),
            slot(Role.K, "self_attn.k_proj.weight"),
            slot(Role.V, "self_attn.v_proj.weight"));
    static final Slot ATTENTION_OUTPUT = slot(Role.O, "self_attn.o_proj.weight");
    /** What every family's block ends with: the gated MLP. */
    static final List<Slot> MLP = List.of(
            slot(Role.GATE, "mlp.gate_proj.weight"),
            slot(Role.UP, "mlp.up_proj.weight"),
            slot(Role.DOWN, "mlp.down_proj.weight"));

    /** A family's block: its tensors in the order given. */
    static Layout of(List<Slot> first, List<Slot> middle, List<Slot> last) {
        Map<Role, String> block = new LinkedHashMap<>();
        for (List<Slot> group : List.of(first, middle, last)) {
            for (Slot s : group) {
                if (block.put(s.role(), s.within()) != null) {
                    throw new IllegalArgumentException(s.role() + " named twice");
                }
            }
        }
        return new Layout(block);
    }

    /** Whether the family's blocks have this role (q/k/v biases, sandwich norms). */
    public boolean has(Role role) {
        return !role.perBlock() || block.containsKey(role);
    }

    /** The tensor name of a role: {@code layer} is ignored for a model-wide role. */
    public String name(Role role, int layer) {
        if (!role.perBlock()) {
            return MODEL_WIDE.get(role);
        }
        String within = block.get(role);
        if (within == null) {
            throw new IllegalArgumentException("this family's blocks have no " + role);
        }
        return "model.layers." + layer + "." + within;
    }

    /** The name of a model-wide role. */
    public static String name(Role role) {
        if (role.perBlock()) {
            throw new IllegalArgumentException(role + " is per block: name it with its layer");
        }
        return MODEL_WIDE.get(role);
    }

    /** The block roles in the family's order. */
    public List<Role> blockRoles() {
        return List.copyOf(block.keySet());
    }

    /** Every tensor a checkpoint of {@code c} must hold, in file order: embedding, blocks, final norm, untied head. */
    public List<Tensor> tensors(DecoderConfig c) {
        List<Tensor> tensors = new ArrayList<>();
        tensors.add(tensor(Role.EMBED, -1, c));
        for (int l = 0; l < c.numLayers(); l++) {
            for (Role role : block.keySet()) {
                tensors.add(tensor(role, l, c));
            }
        }
        tensors.add(tensor(Role.FINAL_NORM, -1, c));
        if (!c.tieWordEmbeddings()) {
            tensors.add(tensor(Role.HEAD, -1, c));
        }
        return tensors;
    }

    private Tensor tensor(Role role, int layer, DecoderConfig c) {
        return new Tensor(role, layer, name(role, layer), role.shape(c));
    }
}
