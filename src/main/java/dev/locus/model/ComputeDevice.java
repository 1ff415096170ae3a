package dev.locus.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.locus.LocusException;

/**
 * Where the forward pass runs: {@code cpu}, or {@code gpu} / {@code gpu:N} (a CUDA device of the
 * libtorch that DJL loaded). Weights are decoded in host memory and then copied to the device;
 * every activation lives on it. Only the CPU route is tested here: this machine has no GPU.
 */
public final class ComputeDevice {
    private ComputeDevice() {}

    /** Parses a {@code --device} value and checks that libtorch can see that device. */
    public static Device parse(String option, String value) {
        if (value.equals("cpu")) {
            return Device.cpu();
        }
        int index;
        if (value.equals("gpu")) {
            index = 0;
        } else if (value.matches("gpu:\\d{1,3}")) {
            index = Integer.parseInt(value.substring(4));
        } else {
            throw new LocusException(option, option, "expected cpu, gpu or gpu:N, found \"" + value + "\"", null);
        }
        int visible = Engine.getInstance().getGpuCount();
        if (index >= visible) {
            throw new LocusException(option, option, visible == 0
                    ? "no CUDA device visible to libtorch " + Engine.getInstance().getVersion()
                            + " (the bundled libtorch is CPU-only; README \"Running on a GPU\" says how to point DJL at a CUDA build)"
                    : "gpu:" + index + " asked for, libtorch sees " + visible + " device(s)", null);
        }
        return Device.gpu(index);
    }
}
