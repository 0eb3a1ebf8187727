package dev.cltrain;

/**
 * A device that was asked for explicitly cannot be used (absent, failed to build or run the kernels).
 * The CLI prints the message, which lists the devices that can be used, and exits 3.
 */
public class DeviceException extends RuntimeException {
  public DeviceException(String message) {
    super(message);
  }

  public DeviceException(String message, Throwable cause) {
    super(message, cause);
  }
}
