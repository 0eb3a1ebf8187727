package dev.cltrain.nn;

import dev.cltrain.core.InputException;
import dev.cltrain.core.Wording;
import dev.cltrain.backend.AdamConstants;
import dev.cltrain.backend.Kernels;
import dev.cltrain.backend.SmallNetOptimizer;
import java.io.Serializable;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * How gradients become weight updates ({@code --optimizer}), with its hyper-parameters: one record per rule,
 * each in its own file ({@link Sgd}, {@link Momentum}, {@link Adam}, {@link AdamW}) with its name, its defaults and its
 * launches; {@link #kinds()} lists them. Each rule is one kernel in update.cl with its mirror in
 * ReferenceKernels (and a {@code _layers} variant that updates every layer in one launch, to the same bits),
 * and one branch of small_net.cl's update_one, chosen by {@link Kind#code}. Weight decay (L2, added to the
 * gradient; AdamW's decoupled factor) applies to weights, not biases, unless every parameter decays
 * ({@code --decay-all}). Moments never go subnormal: a new velocity, m or v of magnitude
 * below {@link Float#MIN_NORMAL} is stored as +0, on every device and in the reference alike (subnormals cost
 * CPUs a microcode assist per operation, and some devices flush them on their own).
 *
 * <p>A new rule takes 8 main files: its record in nn/ (name, code, defaults, checks, launches); this file's
 * {@code permits} and {@link #kinds()}; its {@code NAME_update} and {@code NAME_update_layers} kernels in update.cl
 * with their methods in backend/UpdateContract (the contract's update.cl family), opencl/OpenClKernels and
 * reference/ReferenceKernels; its {@code OPT_} code and update_one branch in small_net.cl (and
 * ReferenceKernels.trainSmall's updateOne); its cases in train/UpdateCases and SmallNetCases (verify's). KernelSignatureTest,
 * DeviceCheckCoverageTest and KernelCodesTest fail until each is there. A hyper-parameter the others lack adds its
 * command-line option ({@link Options}, cli/WorkloadOptions) and, when train_small reads it, a component of
 * {@link SmallNetOptimizer} and an argument of train_small.
 */
public sealed interface Optimizer extends Serializable permits Sgd, Momentum, Adam, AdamW {

  /** @return η, the step size */
  float learningRate();

  /** @return λ, L2 weight decay added to the weights' gradients (g = dw + λw); 0 for none */
  float weightDecay();

  /** @return this rule's name, code and defaults */
  Kind kind();

  /**
   * @param decay L2 weight decay added to the weights' gradients (not the biases')
   * @return this optimizer with that weight decay
   */
  Optimizer withWeightDecay(float decay);

  /** @return whether biases decay too, the gradients' clipping norm and cross-entropy's label smoothing */
  Regularization regularization();

  /**
   * @param applied decay-all, clipping and label smoothing, e.g. {@code new Regularization(false, 1.0f, 0.1f)}
   * @return this optimizer with them
   */
  Optimizer withRegularization(Regularization applied);

  /** @return the buffers of state this optimizer keeps per parameter buffer (velocity; m, v) */
  int stateBuffers();

  /** @return one line for summaries, e.g. "adam (η 0.001, β1 0.9, β2 0.999, ε 1e-08)"; weight decay if any */
  String describe();

  /**
   * Enqueues one step of this rule on each group of parameter arrays: its {@code *UpdateLayers} kernel.
   *
   * @param <B>     the backend's buffer type
   * @param kernels where the kernels run
   * @param groups  the parameter arrays, at most {@link Kernels#SEGMENTS} per group
   * @param rate    this step's learning rate (the schedule's, not always {@link #learningRate()})
   * @param step    the step number t, from 1
   */
  <B> void update(Kernels<B, ?> kernels, List<Slots<B>> groups, float rate, long step);

  /**
   * What small_net.cl's train_small reads of this rule: its code, μ and Adam's constants. A rule that has no
   * μ or no Adam constants gives 0 and {@link AdamConstants#DEFAULT}, which the kernel does not read for it.
   *
   * @return the fused kernel's arguments for this rule
   */
  SmallNetOptimizer smallNet();

  /**
   * What train_small reads per epoch from its {@code corrections} buffer: Adam's bias corrections (1 − β1ᵗ,
   * 1 − β2ᵗ) for t = firstStep … firstStep + steps − 1, two floats each; none for the other rules.
   *
   * @param firstStep the first epoch's step t, from 1
   * @param steps     the epochs of the launch
   * @return the floats to write, possibly none
   */
  default float[] corrections(long firstStep, int steps) {
    return new float[0];
  }

  /**
   * One group of parameter arrays updated by one {@code *UpdateLayers} launch: slot s is
   * {@code count[s]} floats of {@code w.get(s)} with gradient {@code dw.get(s)} and the optimizer's state
   * {@code state.get(0).get(s)} (velocity, or m) and {@code state.get(1).get(s)} (v).
   *
   * @param <B>         the backend's buffer type
   * @param count       each slot's floats
   * @param weightDecay each slot's λ (0 for biases)
   * @param dw          each slot's gradient
   * @param w           each slot's parameters
   * @param state       per state buffer of the rule, each slot's buffer ({@link #stateBuffers()} lists)
   */
  record Slots<B>(int[] count, float[] weightDecay, List<B> dw, List<B> w, List<List<B>> state) {}

  /**
   * One update rule as the command line names it.
   */
  final class Kind {
    /** The name on the command line ({@code --optimizer}). */
    public final String id;
    /** small_net.cl's OPT_ code for the rule (KernelCodesTest checks the two agree). */
    public final int code;
    /** η when {@code --lr} is not given. */
    public final float defaultLearningRate;
    private final Function<Options, Optimizer> build;

    Kind(String id, int code, float defaultLearningRate, Function<Options, Optimizer> build) {
      this.id = id;
      this.code = code;
      this.defaultLearningRate = defaultLearningRate;
      this.build = build;
    }

    /**
     * @param given the hyper-parameters given, null where not
     * @return this rule with them, defaults filled in
     */
    public Optimizer build(Options given) {
      return build.apply(given);
    }

    @Override
    public String toString() {
      return id;
    }
  }

  /** The rules' names as help texts list them, a constant for option annotations (OptimizerTest: {@link #kinds()}'). */
  String NAMES = "sgd|momentum|adam|adamw";

  /** @return every rule, in the order help texts list them */
  static List<Kind> kinds() {
    return List.of(Sgd.KIND, Momentum.KIND, Adam.KIND, AdamW.KIND);
  }

  /**
   * The rule named {@code id}.
   *
   * @param id the name given to {@code --optimizer}
   * @return the kind with that {@link Kind#id}
   * @throws InputException if no optimizer has that name
   */
  static Kind parse(String id) {
    for (Kind k : kinds()) {
      if (k.id.equals(id)) {
        return k;
      }
    }
    throw InputException.parameter("optimizer", ": unknown optimizer '" + id + "' (supported: "
        + kinds().stream().map(k -> k.id).collect(Collectors.joining(", ")) + ")");
  }

  /**
   * The hyper-parameters as given on a command line, null where not given (the rule's default then). Each
   * one given is checked, whether the rule uses it or not.
   *
   * @param learningRate η
   * @param momentum     μ
   * @param beta1        β1
   * @param beta2        β2
   * @param epsilon      ε
   * @param weightDecay  λ
   */
  record Options(Float learningRate, Float momentum, Float beta1, Float beta2, Float epsilon, Float weightDecay) {
    /** Nothing given: every default. */
    public static final Options NONE = new Options(null, null, null, null, null, null);

    /**
     * Checks every value given.
     *
     * @param learningRate η, or null
     * @param momentum     μ, or null
     * @param beta1        β1, or null
     * @param beta2        β2, or null
     * @param epsilon      ε, or null
     * @param weightDecay  λ, or null
     * @throws InputException naming the bad value and its command-line option
     */
    public Options {
      if (learningRate != null) {
        requireRate(learningRate);
      }
      if (momentum != null) {
        requireFraction("momentum", momentum);
      }
      if (beta1 != null || beta2 != null) {
        AdamConstants.requireBetas(beta1 == null ? AdamConstants.DEFAULT.beta1() : beta1,
            beta2 == null ? AdamConstants.DEFAULT.beta2() : beta2);
      }
      if (epsilon != null) {
        AdamConstants.requireEpsilon(epsilon);
      }
      if (weightDecay != null) {
        requireDecay(weightDecay);
      }
    }

    float rate(Kind kind) {
      return learningRate != null ? learningRate : kind.defaultLearningRate;
    }

    float decay() {
      return weightDecay != null ? weightDecay : 0f;
    }
  }

  /**
   * The optimizer named {@code id} with the hyper-parameters given, each default filled in by the rule.
   *
   * @param id    the name given to {@code --optimizer}
   * @param given the values given
   * @return the optimizer
   * @throws InputException for an unknown name or a bad value
   */
  static Optimizer of(String id, Options given) {
    return parse(id).build(given);
  }

  /**
   * Plain gradient descent, the seed's.
   *
   * @param learningRate η
   * @return sgd at rate η, no weight decay
   */
  static Optimizer sgd(float learningRate) {
    return new Sgd(learningRate, 0);
  }

  /**
   * Gradient descent with momentum.
   *
   * @param learningRate η
   * @param momentum     μ, in [0, 1)
   * @return momentum at rate η, no weight decay
   */
  static Optimizer momentum(float learningRate, float momentum) {
    return new Momentum(learningRate, momentum, 0);
  }

  /**
   * AdamW (decoupled weight decay, as torch.optim.AdamW) with the usual β1 0.9, β2 0.999, ε 1e-8, e.g.
   * {@code .optimizer(Optimizer.adamw(0.001f, 0.01f))} on a {@code Training}.
   *
   * @param learningRate η, e.g. 0.001
   * @param weightDecay  λ, the decoupled factor (PyTorch's default: {@link AdamW#DEFAULT_WEIGHT_DECAY})
   * @return adamw at rate η with decay λ
   */
  static Optimizer adamw(float learningRate, float weightDecay) {
    return new AdamW(learningRate, AdamConstants.DEFAULT, weightDecay);
  }

  /**
   * Adam with the usual β1 0.9, β2 0.999, ε 1e-8 ({@link AdamConstants#DEFAULT}).
   *
   * @param learningRate η, e.g. 0.001
   * @return adam at rate η, no weight decay
   */
  static Optimizer adam(float learningRate) {
    return new Adam(learningRate, AdamConstants.DEFAULT, 0);
  }

  /**
   * @param learningRate η
   * @throws InputException unless positive and finite
   */
  static void requireRate(float learningRate) {
    if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
      throw new InputException(Wording.of("the learning rate (", Wording.param("learningRate"),
          ") must be a positive finite number, got ", learningRate));
    }
  }

  /**
   * @param parameter the value's Java name, e.g. "momentum" (the message says "the momentum (momentum)")
   * @param value     the value
   * @throws InputException unless in [0, 1)
   */
  static void requireFraction(String parameter, float value) {
    if (!(value >= 0 && value < 1)) {
      throw new InputException(Wording.of("the ", parameter, " (", Wording.param(parameter), ") must be in [0, 1), got ",
          value));
    }
  }

  /**
   * @param weightDecay λ
   * @throws InputException unless finite and at least 0
   */
  static void requireDecay(float weightDecay) {
    if (!(weightDecay >= 0) || Float.isInfinite(weightDecay)) {
      throw new InputException(Wording.of("the weight decay (", Wording.param("weightDecay"),
          ") must be a finite number at least 0, got ", weightDecay));
    }
  }

  /**
   * @param regularization what is applied around the step
   * @param weightDecay    λ
   * @throws InputException when every parameter is to decay ({@code decayAll}) and λ is 0
   */
  static void requireDecayToApply(Regularization regularization, float weightDecay) {
    if (regularization.decayAll() && weightDecay == 0) {
      throw InputException.parameter("decayAll", "needs weight decay above 0 (adamw has " + AdamW.DEFAULT_WEIGHT_DECAY
          + " by default)");
    }
  }

  /**
   * @param weightDecay λ
   * @return ", weight decay λ" for {@link #describe()}, or nothing for 0
   */
  static String decaySuffix(float weightDecay) {
    return weightDecay == 0 ? "" : ", weight decay " + decimal(weightDecay);
  }

  /**
   * A float as Python's {@code repr} writes it, the way people write rates: the shortest digits that read back as
   * this float, plainly from 1e-4 to below 1e16 ("0.0005", "2.0"), else in exponent form ("1e-08"); never Java's
   * "5.0E-4".
   *
   * @param value a finite float
   * @return its decimal text
   */
  static String decimal(float value) {
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
