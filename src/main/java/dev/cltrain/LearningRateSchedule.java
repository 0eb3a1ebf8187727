package dev.cltrain;

import dev.cltrain.core.InputException;

import java.util.Locale;

/**
 * How the learning rate changes from epoch to epoch ({@code --lr-schedule}, {@code --warmup-epochs}). The rate
 * is computed once per epoch on the host, in Java (StrictMath, so the same bits on every JVM), rounded to a
 * float and passed to the same update kernels on every device: the Java reference and each OpenCL device
 * receive the same float, so lockstep verification still compares equal updates. It depends only on the epoch
 * number and the run's epoch count, so a run resumed from a checkpoint (even mid-epoch) continues it exactly.
 *
 * <p>With w warm-up epochs the rate climbs linearly, η·(e+1)/w for epochs e &lt; w; after that the schedule
 * runs on k = e − w of K = epochs − w epochs:
 * <ul>
 *   <li>{@code constant}: η</li>
 *   <li>{@code step:EVERY:GAMMA}: η·γ^⌊k/EVERY⌋</li>
 *   <li>{@code exponential:GAMMA}: η·γ^k</li>
 *   <li>{@code cosine}: η·(1 + cos(π·k/K))/2, from η down towards 0</li>
 * </ul>
 *
 * @param kind   the schedule's shape
 * @param every  epochs between steps (step only)
 * @param gamma  the factor per step or epoch (step and exponential)
 * @param warmup epochs of linear warm-up before the schedule starts, 0 for none
 */
public record LearningRateSchedule(Kind kind, int every, double gamma, int warmup) {
  /** The shapes. */
  public enum Kind {
    /** η throughout. */
    CONSTANT,
    /** η·γ^⌊k/every⌋. */
    STEP,
    /** η·(1 + cos(π·k/K))/2. */
    COSINE,
    /** η·γ^k. */
    EXPONENTIAL
  }

  /** The constant rate, no warm-up. */
  public static final LearningRateSchedule CONSTANT = new LearningRateSchedule(Kind.CONSTANT, 1, 1, 0);

  /**
   * Checks the parameters.
   *
   * @param kind   the schedule's shape
   * @param every  epochs between steps, positive
   * @param gamma  the factor per step or epoch, positive and finite
   * @param warmup warm-up epochs, 0 or more
   * @throws InputException naming the bad parameter
   */
  public LearningRateSchedule {
    if (every <= 0) {
      throw InputException.parameter("lrSchedule", "step: EVERY must be positive, got " + every);
    }
    if (!(gamma > 0) || !Double.isFinite(gamma)) {
      throw InputException.parameter("lrSchedule", ": GAMMA must be positive, got " + gamma);
    }
    if (warmup < 0) {
      throw InputException.parameter("warmupEpochs", "must be 0 or more, got " + warmup);
    }
  }

  /**
   * Parses {@code constant}, {@code step:EVERY:GAMMA}, {@code cosine} or {@code exponential:GAMMA}.
   *
   * @param text   the option's value (null for constant)
   * @param warmup warm-up epochs
   * @return the schedule
   * @throws InputException naming the forms accepted
   */
  public static LearningRateSchedule parse(String text, int warmup) {
    String usage = ": expected step:EVERY:GAMMA, cosine, exponential:GAMMA or constant, got '" + text + "'";
    if (text == null) {
      return new LearningRateSchedule(Kind.CONSTANT, 1, 1, warmup);
    }
    String[] parts = text.trim().split(":", -1);
    try {
      return switch (parts[0].toLowerCase(Locale.ROOT)) {
        case "constant" -> parts.length == 1 ? new LearningRateSchedule(Kind.CONSTANT, 1, 1, warmup) : fail(usage);
        case "cosine" -> parts.length == 1 ? new LearningRateSchedule(Kind.COSINE, 1, 1, warmup) : fail(usage);
        case "step" -> parts.length == 3
            ? new LearningRateSchedule(Kind.STEP, Integer.parseInt(parts[1]), Double.parseDouble(parts[2]), warmup)
            : fail(usage);
        case "exponential" -> parts.length == 2
            ? new LearningRateSchedule(Kind.EXPONENTIAL, 1, Double.parseDouble(parts[1]), warmup) : fail(usage);
        default -> fail(usage);
      };
    } catch (NumberFormatException e) {
      throw InputException.parameter("lrSchedule", usage);
    }
  }

  private static LearningRateSchedule fail(String usage) {
    throw InputException.parameter("lrSchedule", usage);
  }

  /** {@return the option's form, e.g. "step:10:0.5" (parse gives this schedule back)} */
  public String id() {
    return switch (kind) {
      case CONSTANT -> "constant";
      case COSINE -> "cosine";
      case STEP -> "step:" + every + ":" + gamma;
      case EXPONENTIAL -> "exponential:" + gamma;
    };
  }

  /** {@return true when every epoch gets the base rate} */
  public boolean isConstant() {
    return kind == Kind.CONSTANT && warmup == 0;
  }

  /**
   * The rate for one epoch.
   *
   * @param base   η, the optimizer's learning rate
   * @param epoch  the 0-based epoch
   * @param epochs the run's epoch count
   * @return the rate the epoch's updates use, as a float (what the kernels receive)
   */
  public float rate(float base, int epoch, int epochs) {
    if (epoch < warmup) {
      return (float) ((double) base * (epoch + 1) / warmup);
    }
    int k = epoch - warmup;
    int total = Math.max(1, epochs - warmup);
    double factor = switch (kind) {
      case CONSTANT -> 1.0;
      case STEP -> StrictMath.pow(gamma, k / every);
      case EXPONENTIAL -> StrictMath.pow(gamma, k);
      case COSINE -> 0.5 * (1.0 + StrictMath.cos(StrictMath.PI * Math.min(k, total) / total));
    };
    return (float) (base * factor);
  }
}
