package dev.cltrain.bench;

import java.util.List;

/**
 * One device's figures for one workload, as the table, {@code --json} and {@code --csv} show them. Figures are
 * null on a failed row, whose {@code error} says why (with the OpenCL error constant when there is one).
 *
 * @param id                      "reference" or "cl:P:D"
 * @param name                    the device's name
 * @param type                    "CPU" on the reference, else the OpenCL device type
 * @param platform                the OpenCL platform; on the reference, "Java" and the Java version
 * @param vendor                  the device's vendor; on the reference, the Java vendor
 * @param driverVersion           the OpenCL driver's version; on the reference, the JVM's version
 * @param openclVersion           the device's OpenCL version (null on the reference)
 * @param computeUnits            the device's compute units; on the reference, the JVM's processors
 * @param globalMemBytes          the device's global memory in bytes; on the reference, the JVM's maximum heap
 * @param status                  {@link #OK} or {@link #FAILED}
 * @param error                   why a failed row failed, one line; null on an ok row
 * @param msPerEpochMedian        median over the repeats of each repeat's wall time per epoch
 * @param msPerEpochMin           the fastest repeat's wall time per epoch
 * @param msPerEpochMax           the slowest repeat's wall time per epoch
 * @param epochsPerSecond         1000 over the median milliseconds per epoch
 * @param gflops                  FLOPs per epoch ({@link FlopCount}) over the median time per epoch
 * @param bytesToDevicePerEpoch   host → device bytes per timed epoch (0 on the reference)
 * @param bytesFromDevicePerEpoch device → host bytes per timed epoch (0 on the reference)
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

  /** The {@link #status} of a row whose device ran the workload. */
  public static final String OK = "ok";
  /** The {@link #status} of a row whose device failed; {@link #error} says why. */
  public static final String FAILED = "failed";

  /** @return whether the device ran the workload, so the figures are there */
  public boolean ok() {
    return OK.equals(status);
  }

  /**
   * One kernel's part of the timed epochs.
   *
   * @param kernel     the kernel's name
   * @param launches   its launches over all timed epochs
   * @param msPerEpoch its device time per timed epoch, in milliseconds
   * @param share      of the wall time, in [0, 1]
   */
  public record KernelShare(String kernel, long launches, double msPerEpoch, double share) {}

  /**
   * @param newId   the row's id, e.g. "cl:0:0+cl:0:1" for a data-parallel group
   * @param newName the row's name
   * @return this row under that id and name
   */
  public DeviceRow renamed(String newId, String newName) {
    return new DeviceRow(newId, newName, type, platform, vendor, driverVersion, openclVersion, computeUnits,
        globalMemBytes, status, error, msPerEpochMedian, msPerEpochMin, msPerEpochMax, epochsPerSecond, gflops,
        bytesToDevicePerEpoch, bytesFromDevicePerEpoch, speedup, maxWeightDifference, kernels, kernelMsPerEpoch,
        hostOverheadMsPerEpoch);
  }
}
