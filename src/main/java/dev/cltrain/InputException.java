package dev.cltrain;

/**
 * Bad input: a file, a cell, an option or a model that cannot be used. The message says what is wrong and
 * where (file, line, column, field or option). The CLI prints it as one line and exits 2.
 */
public class InputException extends CltrainException {
  private static final long serialVersionUID = 1L;

  /** @param message what is wrong and where, one line */
  public InputException(String message) {
    super(message);
  }

  /**
   * @param message what is wrong and where, one line
   * @param cause   the underlying failure
   */
  public InputException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * A value an API call needs: null is bad input, refused where it is given.
   *
   * @param value the value given
   * @param what  what it is, e.g. "the optimizer"
   * @param <T>   its type
   * @return the value, not null
   * @throws InputException when it is null
   */
  public static <T> T require(T value, String what) {
    if (value == null) {
      throw new InputException(what + " is null");
    }
    return value;
  }
}
