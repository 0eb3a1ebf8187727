package dev.cltrain.bench;

import java.util.List;

/**
 * One workload benched on every device.
 *
 * @param name            "xor", "random:4096x784x10", ...
 * @param description     widths, activation, loss, optimizer, batch and rows in one line
 * @param widths          layer widths from input to output
 * @param rows            training rows per epoch
 * @param batchSize       the batch size asked for (0 or at least rows: full batch)
 * @param batchesPerEpoch backprop iterations per epoch
 * @param flopsPerEpoch   {@link FlopCount#flops}
 * @param warmupEpochs    untimed epochs run first on each device
 * @param epochs          timed epochs per repeat
 * @param repeat          timed repeats; the table shows their median, min and max
 * @param devices         the reference first, then each OpenCL device
 */
public record WorkloadResult(String name, String description, int[] widths, int rows, int batchSize,
    int batchesPerEpoch, long flopsPerEpoch, int warmupEpochs, int epochs, int repeat, List<DeviceRow> devices) {}
