package dev.cltrain.cmd;

import dev.cltrain.core.DeviceException;
import dev.cltrain.core.DivergedException;
import dev.cltrain.core.InputException;

/** The exit codes of cltrain's commands and of SparkTrain, one meaning each. */
public final class ExitCodes {
  /** Exit code 1: a check failed ({@code --verify}), or an internal error. */
  public static final int CHECK_FAILED = 1;
  /** Exit code 2: bad input ({@link InputException}, an unknown or malformed option, or out of memory). */
  public static final int BAD_INPUT = 2;
  /** Exit code 3: a device that was asked for cannot be used ({@link DeviceException}). */
  public static final int DEVICE = 3;
  /** Exit code 4: training diverged ({@link DivergedException}). */
  public static final int DIVERGED = 4;

  private ExitCodes() {}
}
