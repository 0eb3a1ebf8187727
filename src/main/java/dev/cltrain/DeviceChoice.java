package dev.cltrain;

/**
 * The device a {@code --device} spec chose, and why.
 *
 * <p>Thread-safe: an immutable value.
 *
 * @param device  the device chosen (never null)
 * @param auto    whether cltrain picked it ({@code auto}): an OpenCL device picked this way falls back to the
 *                Java reference if it cannot build or run the kernels; an explicit choice fails instead
 * @param reason  why this device, e.g. "auto: first GPU" or "--device cpu: first OpenCL CPU device"
 * @param warning a line to show the user because the choice is already a fallback (no OpenCL at all), else null
 */
public record DeviceChoice(Device device, boolean auto, String reason, String warning) {
  /**
   * A choice that needs no warning.
   *
   * @param device the device chosen
   * @param auto   whether cltrain picked it
   * @param reason why this device
   */
  public DeviceChoice(Device device, boolean auto, String reason) {
    this(device, auto, reason, null);
  }

  /**
   * The explicit choice of one device: failing there is an error, not a fallback.
   *
   * @param device the device
   * @return the choice, with the reason "--device ID"
   */
  public static DeviceChoice of(Device device) {
    return new DeviceChoice(device, false, "--device " + device.id());
  }
}
