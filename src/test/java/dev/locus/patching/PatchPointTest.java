package dev.locus.patching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PatchPointTest {
    @Test
    void namesRoundTrip() {
        for (String name : new String[] {"resid_pre.0", "resid_post.3", "block_out.0", "attn_out.2", "mlp_out.15"}) {
            assertEquals(name, PatchPoint.parse(name).name());
        }
        assertEquals("resid_pre.0", PatchPoint.parse("embed").name());
        assertEquals("resid_post.4", PatchPoint.parse("resid_pre.5").name());
    }

    @Test
    void resumeLayerIsTheFirstBlockAPatchedRunEvaluates() {
        assertEquals(0, PatchPoint.parse("embed").resumeLayer());
        assertEquals(4, PatchPoint.parse("resid_post.3").resumeLayer());
        assertEquals(4, PatchPoint.parse("block_out.3").resumeLayer());
        assertEquals(3, PatchPoint.parse("mlp_out.3").resumeLayer());
    }

    @Test
    void unknownPointsListTheValidForms() {
        for (String bad : new String[] {"resid_mid.1", "block_out", "block_out.x", "mlp_out.-1", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PatchPoint.parse(bad));
            assertThat(e.getMessage()).contains("block_out.L");
        }
        assertThat(assertThrows(IllegalArgumentException.class, () -> PatchPoint.parse("mlp_out.16").checkedFor(16)).getMessage())
                .contains("layer 16 out of range");
    }
}
