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
 * @param check   whether an OpenCL device is checked on first use before it is trusted (the default): the first
 *                time a device, driver version and set of kernel sources come together, every kernel and a short
 *                lockstep training are compared with the Java reference (what {@code cltrain verify} does, a
 *                second or two) and the verdict is cached next to the matmul plans ({@code device-checks.json}
 *                in ~/.cache/cltrain, or the {@code cltrain.cache} property's folder). A device that fails is
 *                refused: a {@link DeviceException} naming the kernel when chosen explicitly, a fallback to the
 *                reference with a warning for {@code auto}. {@link #withCheck withCheck(false)} skips the check
 *                ({@code --no-check})
 */
public record DeviceChoice(Device device, boolean auto, String reason, String warning, boolean check) {
  /**
   * A choice checked on first use.
   *
   * @param device  the device chosen
   * @param auto    whether cltrain picked it
   * @param reason  why this device
   * @param warning a line to show the user, or null
   */
  public DeviceChoice(Device device, boolean auto, String reason, String warning) {
    this(device, auto, reason, warning, true);
  }

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

  /**
   * This choice with the first-use check on or off, e.g. {@code Devices.choose("gpu").withCheck(false)} to trust
   * a device without checking it ({@code --no-check}).
   *
   * @param on whether to check the device on first use (see {@link #check()})
   * @return a new choice; this one is unchanged
   */
  public DeviceChoice withCheck(boolean on) {
    return new DeviceChoice(device, auto, reason, warning, on);
  }
}
