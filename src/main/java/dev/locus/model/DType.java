package dev.locus.model;

import java.util.Locale;

/** Safetensors element types. Only the float types can hold Llama weights; the rest are recognised to say so. */
public enum DType {
    F32(4, true),
    F16(2, true),
    BF16(2, true),
    F64(8, false),
    F8_E4M3(1, false),
    F8_E5M2(1, false),
    I64(8, false),
    I32(4, false),
    I16(2, false),
    I8(1, false),
    U64(8, false),
    U32(4, false),
    U16(2, false),
    U8(1, false),
    BOOL(1, false);

    private final int bytes;
    private final boolean weightType;

    DType(int bytes, boolean weightType) {
        this.bytes = bytes;
        this.weightType = weightType;
    }

    public int bytes() {
        return bytes;
    }

    /** Whether locus decodes this type to float32 weights. */
    public boolean isWeightType() {
        return weightType;
    }

    /** The dtype named in a safetensors header, or null when the name is not a safetensors dtype. */
    public static DType fromHeader(String name) {
        for (DType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    public static DType parse(String name) {
        DType t = fromHeader(name.toUpperCase(Locale.ROOT));
        if (t == null || !t.weightType) {
            throw new IllegalArgumentException("dtype must be one of F32, F16, BF16, found " + name);
        }
        return t;
    }
}
