package dev.locus.model;

/** Bit-exact conversions between float32 and the two 16-bit float formats of checkpoints. */
public final class Float16 {
    private static final float[] HALF_TO_FLOAT = buildHalfTable();

    private Float16() {}

    /** bf16 is the upper half of a float32: widening is a shift. */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }

    /** Rounds to nearest even, keeping NaN a NaN. */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** IEEE binary16 to float32; every half value is exact in float32. */
    public static float halfToFloat(short bits) {
        return HALF_TO_FLOAT[bits & 0xFFFF];
    }

    private static float[] buildHalfTable() {
        float[] table = new float[1 << 16];
        for (int h = 0; h < table.length; h++) {
            int sign = (h & 0x8000) << 16;
            int exponent = (h >>> 10) & 0x1F;
            int mantissa = h & 0x3FF;
            float magnitude;
            if (exponent == 0) {
                magnitude = mantissa * 0x1p-24f;
            } else if (exponent == 0x1F) {
                magnitude = mantissa == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
            } else {
                magnitude = Float.intBitsToFloat(((exponent - 15 + 127) << 23) | (mantissa << 13));
            }
            table[h] = Float.intBitsToFloat(sign | Float.floatToRawIntBits(magnitude));
        }
        return table;
    }
}
