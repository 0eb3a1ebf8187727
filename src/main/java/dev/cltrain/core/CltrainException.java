package dev.cltrain.core;

/**
 * The root of every exception cltrain throws on purpose: {@link InputException} (bad input),
 * {@link DeviceException} (a device cannot be used) and {@link DivergedException} (training diverged). Each
 * message is one line saying what and where, fit to show a user as it is. Anything else that escapes the
 * library is a bug.
 */
public class CltrainException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The message, its library parameters marked (e.g. "try a smaller batchSize"). */
  private final Wording wording;

  /** @param message what went wrong and where, one line */
  public CltrainException(String message) {
    super(message);
    this.wording = Wording.of(message);
  }

  /** @param message what went wrong and where, one line, naming library parameters by their Java names */
  public CltrainException(Wording message) {
    super(message.toString());
    this.wording = message;
  }

  /**
   * @param message what went wrong and where, one line
   * @param cause   the underlying failure
   */
  public CltrainException(String message, Throwable cause) {
    super(message, cause);
    this.wording = Wording.of(message);
  }

  /**
   * @param message what went wrong and where, one line, naming library parameters by their Java names
   * @param cause   the underlying failure
   */
  public CltrainException(Wording message, Throwable cause) {
    super(message.toString(), cause);
    this.wording = message;
  }

  /** {@return the message with its library parameters marked; its text is {@link #getMessage()}} */
  public Wording wording() {
    return wording;
  }
}
