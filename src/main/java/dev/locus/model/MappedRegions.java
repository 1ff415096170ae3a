package dev.locus.model;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;

/**
 * Releases a memory map as soon as its bytes are decoded. Without this the mapping lives until a
 * garbage collection, and a multi-gigabyte checkpoint's pages stay resident beside the decoded
 * float32 weights.
 */
final class MappedRegions {
    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static {
        Object unsafe = null;
        Method cleaner = null;
        try {
            Class<?> type = Class.forName("sun.misc.Unsafe");
            Field field = type.getDeclaredField("theUnsafe");
            field.setAccessible(true);
            unsafe = field.get(null);
            cleaner = type.getMethod("invokeCleaner", ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // Unmapping falls back to the garbage collector; loading stays correct, only its footprint grows.
            unsafe = null;
            cleaner = null;
        }
        UNSAFE = unsafe;
        INVOKE_CLEANER = cleaner;
    }

    private MappedRegions() {}

    static void unmap(ByteBuffer mapped) {
        if (INVOKE_CLEANER == null) {
            return;
        }
        try {
            INVOKE_CLEANER.invoke(UNSAFE, mapped);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot release a memory map", e);
        }
    }
}
