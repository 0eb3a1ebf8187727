package dev.cltrain;

/**
 * Bad input from the user: a file, a cell, an option or a model that cannot be used. The CLI prints the
 * message as one line and exits 2; the message says what is wrong and where (file, line, column, field).
 */
public class InputException extends RuntimeException {
  public InputException(String message) {
    super(message);
  }

  public InputException(String message, Throwable cause) {
    super(message, cause);
  }
}
