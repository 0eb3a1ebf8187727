package dev.cltrain.core;

/**
 * A device cannot be used: it is absent, too small for the network and data, or failed to build or run the
 * kernels (an OpenCL failure names the call and the CL error constant, e.g. {@code CL_OUT_OF_RESOURCES}).
 * Thrown when a device was asked for explicitly; {@code auto} falls back to the Java reference instead. The
 * CLI prints the message, which lists the usable devices, and exits 3.
 */
public class DeviceException extends CltrainException {
  private static final long serialVersionUID = 1L;

  /** @param message what failed, on which device */
  public DeviceException(String message) {
    super(message);
  }

  /**
   * @param message what failed, on which device
   * @param cause   the underlying failure
   */
  public DeviceException(String message, Throwable cause) {
    super(message, cause);
  }

  /** @param message what failed, on which device, naming library parameters by their Java names */
  public DeviceException(Wording message) {
    super(message);
  }

  /**
   * @param message what failed, on which device, naming library parameters by their Java names
   * @param cause   the underlying failure
   */
  public DeviceException(Wording message, Throwable cause) {
    super(message, cause);
  }
}
