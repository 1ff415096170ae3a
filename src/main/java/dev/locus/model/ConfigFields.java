package dev.locus.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/** Typed, range-checked reads of one config.json object's fields; errors name the file and the field. */
record ConfigFields(Path file, JsonNode node, String prefix) {
    ConfigFields(Path file, JsonNode node) {
        this(file, node, "");
    }

    private JsonNode required(String name) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            throw new ConfigException(file, prefix + name, "missing");
        }
        return v;
    }

    int positiveInt(String name) {
        JsonNode v = required(name);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new ConfigException(file, prefix + name, "expected an integer, found " + v);
        }
        if (v.intValue() <= 0) {
            throw new ConfigException(file, prefix + name, "must be positive, found " + v.intValue());
        }
        return v.intValue();
    }

    double positiveDouble(String name) {
        JsonNode v = required(name);
        if (!v.isNumber()) {
            throw new ConfigException(file, prefix + name, "expected a number, found " + v);
        }
        double d = v.doubleValue();
        if (!(d > 0) || Double.isInfinite(d)) {
            throw new ConfigException(file, prefix + name, "must be positive and finite, found " + v);
        }
        return d;
    }

    boolean optBoolean(String name, boolean fallback) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw new ConfigException(file, prefix + name, "expected true or false, found " + v);
        }
        return v.booleanValue();
    }

    String optText(String name, String fallback) {
        JsonNode v = node.get(name);
        return v == null || v.isNull() ? fallback : v.asText();
    }

    int tokenId(String name, JsonNode v, int vocab) {
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0 || v.intValue() >= vocab) {
            throw new ConfigException(file, prefix + name, "expected a token id in [0, " + vocab + "), found " + v);
        }
        return v.intValue();
    }

    /** Whether the field is present and not null. */
    boolean has(String name) {
        return node.hasNonNull(name);
    }

    /** The error refusing a field's value. */
    ConfigException refuse(String name, String why) {
        return new ConfigException(file, prefix + name, why);
    }
}
