package dev.locus.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PointTest {
    @Test
    void namesRoundTrip() {
        for (String name : new String[] {"resid_pre.0", "resid_post.3", "block_out.0", "attn_out.2", "mlp_out.15"}) {
            assertEquals(name, Point.parse(name).name());
        }
        assertEquals("resid_pre.0", Point.parse("embed").name());
        assertEquals("resid_post.4", Point.parse("resid_pre.5").name());
    }

    @Test
    void resumeLayerIsTheFirstBlockAPatchedRunEvaluates() {
        assertEquals(0, Point.parse("embed").resumeLayer());
        assertEquals(4, Point.parse("resid_post.3").resumeLayer());
        assertEquals(4, Point.parse("block_out.3").resumeLayer());
        assertEquals(3, Point.parse("mlp_out.3").resumeLayer());
    }

    @Test
    void unknownPointsListTheValidForms() {
        for (String bad : new String[] {"resid_mid.1", "block_out", "block_out.x", "mlp_out.-1", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Point.parse(bad));
            assertThat(e.getMessage()).contains("block_out.L");
        }
        assertThat(assertThrows(IllegalArgumentException.class, () -> Point.parse("mlp_out.16").checkedFor(16)).getMessage())
                .contains("layer 16 out of range");
    }
}
