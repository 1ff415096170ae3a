package dev.locus.claims;

import dev.locus.LocusException;
import java.nio.file.Path;

/** Range checks of one block of an expectations file, naming the file and the dotted field in every refusal. */
public final class Fields {
    private final Path file;
    private final String block;

    Fields(Path file, String block) {
        this.file = file;
        this.block = block;
    }

    public <T> T present(String field, T value) {
        if (value == null) {
            fail(field, "missing");
        }
        return value;
    }

    public void range(String field, double value, double low, double high) {
        if (!(value >= low && value <= high)) {
            fail(field, "must be in [" + low + ", " + high + "], found " + value);
        }
    }

    /** A present value within [low, high]. */
    public double within(String field, Number value, double low, double high) {
        range(field, present(field, value).doubleValue(), low, high);
        return value.doubleValue();
    }

    public void fail(String field, String reason) {
        throw new LocusException(file, block + "." + field, reason);
    }
}
