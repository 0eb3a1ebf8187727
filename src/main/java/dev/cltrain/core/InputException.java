package dev.cltrain.core;

/**
 * Bad input: a file, a cell, an option or a model that cannot be used. The message says what is wrong and
 * where (file, line, column, field or option). The CLI prints it as one line and exits 2.
 */
public class InputException extends CltrainException {
  private static final long serialVersionUID = 1L;

  /** The Java name of the bad value (e.g. "batchSize"), which a command maps to its option; or null. */
  private final String parameter;

  /** @param message what is wrong and where, one line */
  public InputException(String message) {
    super(message);
    this.parameter = null;
  }

  /**
   * @param message what is wrong and where, one line
   * @param cause   the underlying failure
   */
  public InputException(String message, Throwable cause) {
    super(message, cause);
    this.parameter = null;
  }

  /** @param message what is wrong and where, one line, naming library parameters by their Java names */
  public InputException(Wording message) {
    super(message);
    this.parameter = null;
  }

  /**
   * @param message what is wrong and where, one line, naming library parameters by their Java names
   * @param cause   the underlying failure
   */
  public InputException(Wording message, Throwable cause) {
    super(message, cause);
    this.parameter = null;
  }

  private InputException(String parameter, Wording problem) {
    super(Wording.of(Wording.param(parameter), problem.toString().startsWith(":") ? "" : " ", problem));
    this.parameter = parameter;
  }

  /**
   * A bad value of a library parameter, named as Java names it: "batchSize must be positive, got 0". A command
   * line names it by its option instead ({@link #parameter()}, {@link #named}): "--batch-size must be ...".
   *
   * @param parameter the parameter's Java name, e.g. "batchSize"
   * @param problem   what is wrong, e.g. "must be positive, got 0" (after a space), or ": unknown value 'x'"
   * @return the exception
   */
  public static InputException parameter(String parameter, String problem) {
    return new InputException(parameter, Wording.of(problem));
  }

  /**
   * A bad value of a library parameter whose problem names other parameters too: "net: item 3 'softmax': the
   * output layer's activation follows loss mse".
   *
   * @param parameter the parameter's Java name, e.g. "net"
   * @param problem   what is wrong (after a space), or ": ..." (after the name), its parameters marked
   * @return the exception
   */
  public static InputException parameter(String parameter, Wording problem) {
    return new InputException(parameter, problem);
  }

  /** {@return the Java name of the bad parameter, or null when the message names no single parameter} */
  public String parameter() {
    return parameter;
  }

  /** {@return what is wrong with {@link #parameter()}, the message after its name; null without a parameter} */
  public String problem() {
    return parameter == null ? null : getMessage().substring(parameter.length()).stripLeading();
  }

  /**
   * @param name what to call the parameter, e.g. its command-line option "--batch-size"
   * @return the message with the parameter called so: "--batch-size must be positive, got 0"; the message
   *     itself without a parameter
   */
  public String named(String name) {
    return parameter == null ? getMessage() : name + getMessage().substring(parameter.length());
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
