package dev.cltrain.nn;

import dev.cltrain.InputException;

/**
 * How gradients become weight updates ({@code --optimizer}), with its hyper-parameters. Each kind is one
 * kernel in update.cl with its mirror in ReferenceKernels (and a {@code _layers} variant that updates every
 * layer in one launch, to the same bits). Weight decay (L2, added to the gradient) applies to weights, not
 * biases. Moments never go subnormal: a new velocity, m or v of magnitude below {@link Float#MIN_NORMAL} is
 * stored as +0, on every device and in the reference alike (subnormals cost CPUs a microcode assist per
 * operation, and some devices flush them on their own).
 *
 * @param kind         the update rule
 * @param learningRate η, the step size
 * @param momentum     μ, the velocity's decay, in [0, 1); used by momentum only
 * @param beta1        β1, the first moment's decay; used by adam only
 * @param beta2        β2, the second moment's decay; used by adam only
 * @param epsilon      ε, added to adam's denominator; used by adam only
 * @param weightDecay  λ, L2 weight decay added to the weights' gradients (g = dw + λw); 0 for none
 */
public record Optimizer(Kind kind, float learningRate, float momentum, float beta1, float beta2, float epsilon,
    float weightDecay) {

  /**
   * Checks every hyper-parameter, so that a bad one is refused where it is given (the CLI's options too).
   *
   * @param kind         the update rule
   * @param learningRate η, positive and finite
   * @param momentum     μ, in [0, 1)
   * @param beta1        β1, in [0, 1)
   * @param beta2        β2, in [0, 1)
   * @param epsilon      ε, positive and finite
   * @param weightDecay  λ, finite and at least 0
   * @throws InputException naming the bad value and its command-line option
   */
  public Optimizer {
    InputException.require(kind, "the optimizer kind");
    if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
      throw new InputException("the learning rate (--lr) must be a positive finite number, got " + learningRate);
    }
    if (!(momentum >= 0 && momentum < 1)) {
      throw new InputException("the momentum (--momentum) must be in [0, 1), got " + momentum);
    }
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
      throw new InputException("Adam's beta1 and beta2 (--beta1, --beta2) must be in [0, 1), got " + beta1 + " and "
          + beta2);
    }
    if (!(epsilon > 0) || Float.isInfinite(epsilon)) {
      throw new InputException("Adam's epsilon (--eps) must be a positive finite number, got " + epsilon);
    }
    if (!(weightDecay >= 0) || Float.isInfinite(weightDecay)) {
      throw new InputException("the weight decay (--weight-decay) must be a finite number at least 0, got "
          + weightDecay);
    }
  }

  /** sgd: w −= η·g. momentum: v = μv + g, w −= η·v. adam: bias-corrected Adam (Kingma and Ba). */
  public enum Kind {
    /** Plain gradient descent: w −= η·g. */
    SGD("sgd"),
    /** Gradient descent with momentum, PyTorch's convention: v = μv + g, w −= η·v. */
    MOMENTUM("momentum"),
    /** Adam with bias correction. */
    ADAM("adam");

    /** The name on the command line ({@code --optimizer}). */
    public final String id;

    Kind(String id) {
      this.id = id;
    }

    /**
     * The optimizer named {@code id}.
     *
     * @param id the name given to {@code --optimizer}
     * @return the kind with that {@link #id}
     * @throws InputException if no optimizer has that name
     */
    public static Kind parse(String id) {
      for (Kind k : values()) {
        if (k.id.equals(id)) {
          return k;
        }
      }
      throw new InputException("--optimizer: unknown optimizer '" + id + "' (supported: sgd, momentum, adam)");
    }
  }

  /**
   * Plain gradient descent, the seed's.
   *
   * @param learningRate η
   * @return sgd at rate η, no weight decay
   */
  public static Optimizer sgd(float learningRate) {
    return new Optimizer(Kind.SGD, learningRate, 0, 0.9f, 0.999f, 1e-8f, 0);
  }

  /**
   * Gradient descent with momentum.
   *
   * @param learningRate η
   * @param momentum     μ, in [0, 1)
   * @return momentum at rate η, no weight decay
   */
  public static Optimizer momentum(float learningRate, float momentum) {
    return new Optimizer(Kind.MOMENTUM, learningRate, momentum, 0.9f, 0.999f, 1e-8f, 0);
  }

  /**
   * Adam with the usual β1 0.9, β2 0.999, ε 1e-8.
   *
   * @param learningRate η, e.g. 0.001
   * @return adam at rate η, no weight decay
   */
  public static Optimizer adam(float learningRate) {
    return new Optimizer(Kind.ADAM, learningRate, 0.9f, 0.9f, 0.999f, 1e-8f, 0);
  }

  /**
   * @param decay L2 weight decay added to the weights' gradients (not the biases')
   * @return this optimizer with that weight decay
   */
  public Optimizer withWeightDecay(float decay) {
    return new Optimizer(kind, learningRate, momentum, beta1, beta2, epsilon, decay);
  }

  /** @return the buffers of state this optimizer keeps per parameter buffer: 0, 1 (velocity) or 2 (m, v) */
  public int stateBuffers() {
    return switch (kind) {
      case SGD -> 0;
      case MOMENTUM -> 1;
      case ADAM -> 2;
    };
  }

  /** @return one line for summaries, e.g. "adam (η 0.001, β1 0.9, β2 0.999, ε 1e-08)"; weight decay if any */
  public String describe() {
    String decay = weightDecay == 0 ? "" : ", weight decay " + decimal(weightDecay);
    return switch (kind) {
      case SGD -> "sgd (η " + decimal(learningRate) + decay + ")";
      case MOMENTUM -> "momentum (η " + decimal(learningRate) + ", μ " + decimal(momentum) + decay + ")";
      case ADAM -> "adam (η " + decimal(learningRate) + ", β1 " + decimal(beta1) + ", β2 " + decimal(beta2) + ", ε "
          + decimal(epsilon) + decay + ")";
    };
  }

  /**
   * A float as Python's {@code repr} writes it, the way people write rates: the shortest digits that read back as
   * this float, plainly from 1e-4 to below 1e16 ("0.0005", "2.0"), else in exponent form ("1e-08"); never Java's
   * "5.0E-4".
   *
   * @param value a finite float
   * @return its decimal text
   */
  public static String decimal(float value) {
    if (value == 0 || !Float.isFinite(value)) {
      return value == 0 ? (1 / value < 0 ? "-0.0" : "0.0") : Float.toString(value);
    }
    java.math.BigDecimal exact = new java.math.BigDecimal(Float.toString(value)).stripTrailingZeros();
    int exponent = exact.precision() - exact.scale() - 1;
    if (exponent >= -4 && exponent < 16) {
      String plain = exact.toPlainString();
      return plain.contains(".") ? plain : plain + ".0";
    }
    String digits = exact.unscaledValue().abs().toString();
    String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
    return (value < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format(java.util.Locale.ROOT, "%02d",
        Math.abs(exponent));
  }
}
