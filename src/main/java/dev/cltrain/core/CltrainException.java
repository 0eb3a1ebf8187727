package dev.cltrain.core;

/**
 * The root of every exception cltrain throws on purpose: {@link InputException} (bad input),
 * {@link DeviceException} (a device cannot be used) and {@link DivergedException} (training diverged). Each
 * message is one line saying what and where, fit to show a user as it is. Anything else that escapes the
 * library is a bug.
 */
public class CltrainException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** @param message what went wrong and where, one line */
  public CltrainException(String message) {
    super(message);
  }

  /**
   * @param message what went wrong and where, one line
   * @param cause   the underlying failure
   */
  public CltrainException(String message, Throwable cause) {
    super(message, cause);
  }
}
