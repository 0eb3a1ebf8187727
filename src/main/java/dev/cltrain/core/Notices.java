package dev.cltrain.core;

import java.io.PrintStream;

/**
 * What cltrain tells the user while it prepares a device, on standard error: one line before each slow first-use
 * step (the first-use check, tuning the matmul), so that a cold start is never silent; and, only with
 * {@code --verbose} ({@link #verbose(boolean)}), what the OpenCL driver printed while it compiled the kernels
 * (compiler warnings, which otherwise never reach the terminal).
 *
 * <p>Thread-safe.
 */
public final class Notices {
  private static volatile boolean verbose;
  private static volatile java.util.function.Function<String, String> parameterNames = name -> null;

  private Notices() {}

  /**
   * Shows (true) or drops (false, the default) the driver's own output during kernel builds.
   *
   * @param on whether to show it
   */
  public static void verbose(boolean on) {
    verbose = on;
  }

  /** {@return whether the driver's output during kernel builds is shown} */
  public static boolean verbose() {
    return verbose;
  }

  /**
   * One line saying what is about to happen and why it takes a moment.
   *
   * @param line e.g. "cl:0:0: first use: checking every kernel against the Java reference (once per device)"
   */
  /**
   * What notices call the library's parameters from now on, e.g. a command's options; Java names by default.
   *
   * @param call a parameter's name given its Java name, or null to keep the Java name
   */
  public static void nameParameters(java.util.function.Function<String, String> call) {
    parameterNames = call;
  }

  /**
   * Says {@code line}, its parameters named as {@link #nameParameters} says.
   *
   * @param line the notice, without the "cltrain: " prefix
   */
  public static void say(Wording line) {
    say(line.named(parameterNames));
  }

  public static void say(String line) {
    PrintStream err = System.err;
    err.println("cltrain: " + line);
    err.flush();
  }

  /**
   * What a driver call printed to standard error (captured), shown under {@code --verbose} and dropped otherwise.
   *
   * @param call the driver call, e.g. "clBuildProgram(matmul.cl)"
   * @param text the captured output; nothing is shown when blank
   */
  public static void driverOutput(String call, String text) {
    if (verbose && !text.isBlank()) {
      System.err.println("cltrain: " + call + " printed:");
      System.err.print(text.endsWith("\n") ? text : text + "\n");
      System.err.flush();
    }
  }
}
