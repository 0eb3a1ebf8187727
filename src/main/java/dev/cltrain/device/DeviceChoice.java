package dev.cltrain.device;

import dev.cltrain.core.Wording;
import dev.cltrain.core.InputException;

/**
 * The device a {@code --device} spec chose, and why.
 *
 * <p>Thread-safe: an immutable value.
 *
 * @param device  the device chosen (never null)
 * @param auto    whether cltrain picked it ({@code auto}): an OpenCL device picked this way falls back to the
 *                Java reference if it cannot build or run the kernels; an explicit choice fails instead
 * @param reason  why this device, e.g. "auto: first GPU" or "device cpu: first OpenCL CPU device" (a command
 *                line names the parameter by its option: "--device cpu: ...")
 * @param warning a line to show the user because the choice is already a fallback (no OpenCL at all), else null
 * @param check   whether an OpenCL device is checked on first use before it is trusted (the default): the first
 *                time a device, driver version and set of kernel sources come together, every kernel and a short
 *                lockstep training are compared with the Java reference (what {@code cltrain verify} does, a
 *                second or two) and the verdict is cached next to the matmul plans ({@code device-checks.json}
 *                in ~/.cache/cltrain, or the {@code cltrain.cache} property's folder). A device that fails is
 *                refused: a {@link dev.cltrain.core.DeviceException} naming the kernel when chosen explicitly, a
 *                fallback to the reference with a warning for {@code auto}. {@link #withCheck withCheck(false)}
 *                skips the check ({@code --no-check})
 * @param devices every device of a data-parallel run ({@code --device cl:0:0,cl:0:1}), the first being
 *                {@code device}; just {@code device} otherwise
 * @param shares  with several devices, each one's share of a batch's rows ({@code --shards 3,1}), or null to
 *                measure them before training (a short calibration)
 */
public record DeviceChoice(Device device, boolean auto, Wording reason, String warning, boolean check,
    java.util.List<Device> devices, int[] shares) {
  /**
   * Checks the list: at least {@code device}, which comes first, and shares (when given) one per device.
   *
   * @param device  the device chosen (the first of a list)
   * @param auto    whether cltrain picked it
   * @param reason  why this device
   * @param warning a line to show the user, or null
   * @param check   whether an OpenCL device is checked on first use
   * @param devices every device of a data-parallel run, or null for just {@code device}
   * @param shares  each device's share of a batch's rows, or null to measure them
   */
  public DeviceChoice {
    InputException.require(device, "the device");
    devices = devices == null ? java.util.List.of(device) : java.util.List.copyOf(devices);
    if (devices.isEmpty() || !devices.get(0).equals(device)) {
      throw new InputException("the device list must start with the device");
    }
    if (shares != null && shares.length != devices.size()) {
      throw new InputException(shares.length + " shares for " + devices.size() + " devices");
    }
    if (shares != null) {
      for (int i = 0; i < shares.length; i++) {
        if (shares[i] < 1 || shares[i] > MAX_SHARE) {
          throw new InputException("share " + (i + 1) + " of a batch's rows is " + shares[i] + ", not a whole number from 1 to "
              + MAX_SHARE);
        }
      }
    }
    shares = shares == null ? null : shares.clone();
  }

  /** The largest share of a batch's rows one device may be given (shares are ratios: 3,1 is 3/4 and 1/4). */
  public static final int MAX_SHARE = 1_000_000;

  /**
   * A choice of one device.
   *
   * @param device  the device chosen
   * @param auto    whether cltrain picked it
   * @param reason  why this device
   * @param warning a line to show the user, or null
   * @param check   whether an OpenCL device is checked on first use
   */
  public DeviceChoice(Device device, boolean auto, Wording reason, String warning, boolean check) {
    this(device, auto, reason, warning, check, null, null);
  }

  /**
   * A choice of one device, its reason naming no parameter.
   *
   * @param device  the device chosen
   * @param auto    whether cltrain picked it
   * @param reason  why this device
   * @param warning a line to show the user, or null
   * @param check   whether an OpenCL device is checked on first use
   */
  public DeviceChoice(Device device, boolean auto, String reason, String warning, boolean check) {
    this(device, auto, Wording.of(reason), warning, check);
  }

  /**
   * Several devices training one network, data-parallel: every batch split into one shard per device.
   *
   * @param devices two or more devices, the reference allowed
   * @param shares  each device's share of a batch's rows, or null to measure them
   * @param reason  why these devices
   * @return the choice
   */
  public static DeviceChoice parallel(java.util.List<Device> devices, int[] shares, String reason) {
    return parallel(devices, shares, Wording.of(reason));
  }

  /**
   * {@link #parallel(java.util.List, int[], String)} with a reason that names parameters.
   *
   * @param devices two or more devices, the reference allowed
   * @param shares  each device's share of a batch's rows, or null to measure them
   * @param reason  why these devices, e.g. "device all: every OpenCL device"
   * @return the choice
   */
  public static DeviceChoice parallel(java.util.List<Device> devices, int[] shares, Wording reason) {
    if (InputException.require(devices, "the device list").isEmpty()) {
      throw new InputException("the device list is empty");
    }
    return new DeviceChoice(devices.get(0), false, reason, null, true, devices, shares);
  }

  /** {@return whether several devices train together (data parallel)} */
  public boolean parallel() {
    return devices.size() > 1;
  }

  /**
   * @param s each device's share of a batch's rows, or null to measure them
   * @return this choice with those shares
   */
  public DeviceChoice withShares(int[] s) {
    return new DeviceChoice(device, auto, reason, warning, check, devices, s);
  }

  /** {@return each device's share of a batch's rows (a copy), or null when they are to be measured} */
  @Override
  public int[] shares() {
    return shares == null ? null : shares.clone();
  }
  /**
   * A choice checked on first use.
   *
   * @param device  the device chosen
   * @param auto    whether cltrain picked it
   * @param reason  why this device
   * @param warning a line to show the user, or null
   */
  public DeviceChoice(Device device, boolean auto, Wording reason, String warning) {
    this(device, auto, reason, warning, true);
  }

  /**
   * A choice checked on first use, its reason naming no parameter.
   *
   * @param device  the device chosen
   * @param auto    whether cltrain picked it
   * @param reason  why this device
   * @param warning a line to show the user, or null
   */
  public DeviceChoice(Device device, boolean auto, String reason, String warning) {
    this(device, auto, Wording.of(reason), warning);
  }

  /**
   * A choice that needs no warning.
   *
   * @param device the device chosen
   * @param auto   whether cltrain picked it
   * @param reason why this device
   */
  public DeviceChoice(Device device, boolean auto, String reason) {
    this(device, auto, Wording.of(reason));
  }

  /**
   * A choice that needs no warning, its reason naming parameters.
   *
   * @param device the device chosen
   * @param auto   whether cltrain picked it
   * @param reason why this device, e.g. "device cpu: first OpenCL CPU device"
   */
  public DeviceChoice(Device device, boolean auto, Wording reason) {
    this(device, auto, reason, null);
  }

  /**
   * @param spec what the device parameter was given, e.g. "cpu" or "all"
   * @param why  what it chose, e.g. "first OpenCL CPU device", or null
   * @return the reason "device SPEC: WHY" (on a command line "--device SPEC: WHY")
   */
  public static Wording given(String spec, String why) {
    return Wording.of(Wording.param("device"), " " + spec + (why == null ? "" : ": " + why));
  }

  /**
   * The explicit choice of one device: failing there is an error, not a fallback.
   *
   * @param device the device
   * @return the choice, with the reason "device ID"
   */
  public static DeviceChoice of(Device device) {
    return new DeviceChoice(device, false, given(device.id(), null));
  }

  /**
   * This choice with the first-use check on or off, e.g. {@code Devices.choose("gpu").withCheck(false)} to trust
   * a device without checking it ({@code --no-check}).
   *
   * @param on whether to check the device on first use (see {@link #check()})
   * @return a new choice; this one is unchanged
   */
  public DeviceChoice withCheck(boolean on) {
    return new DeviceChoice(device, auto, reason, warning, on, devices, shares);
  }
}
