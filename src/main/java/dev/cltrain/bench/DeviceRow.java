package dev.cltrain.bench;

import java.util.List;

/**
 * One device's figures for one workload, as the table, {@code --json} and {@code --csv} show them. Figures are
 * null on a failed row, whose {@code error} says why (with the OpenCL error constant when there is one).
 *
 * @param id                      "reference" or "cl:P:D"
 * @param msPerEpochMedian        median over the repeats of each repeat's wall time per epoch
 * @param gflops                  FLOPs per epoch ({@link FlopCount}) over the median time per epoch
 * @param bytesToDevicePerEpoch   host → device bytes per timed epoch (0 on the reference)
 * @param speedup                 the reference's median over this device's median
 * @param maxWeightDifference     largest |w − w_reference| over all weights and biases after the same epochs
 * @param kernels                 per-kernel device time from profiling events (OpenCL only; empty otherwise)
 * @param kernelMsPerEpoch        all kernels' time per epoch (null on the reference)
 * @param hostOverheadMsPerEpoch  wall time minus kernel time, per epoch (null on the reference)
 */
public record DeviceRow(
    String id,
    String name,
    String type,
    String platform,
    String vendor,
    String driverVersion,
    String openclVersion,
    int computeUnits,
    long globalMemBytes,
    String status,
    String error,
    Double msPerEpochMedian,
    Double msPerEpochMin,
    Double msPerEpochMax,
    Double epochsPerSecond,
    Double gflops,
    Double bytesToDevicePerEpoch,
    Double bytesFromDevicePerEpoch,
    Double speedup,
    Double maxWeightDifference,
    List<KernelShare> kernels,
    Double kernelMsPerEpoch,
    Double hostOverheadMsPerEpoch) {

  public static final String OK = "ok";
  public static final String FAILED = "failed";

  public boolean ok() {
    return OK.equals(status);
  }

  /**
   * One kernel's part of the timed epochs.
   *
   * @param share of the wall time, in [0, 1]
   */
  public record KernelShare(String kernel, long launches, double msPerEpoch, double share) {}
}
