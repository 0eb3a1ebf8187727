package dev.cltrain;

import dev.cltrain.core.InputException;

import dev.cltrain.nn.Optimizer;
import dev.cltrain.nn.Regularization;
import dev.cltrain.nn.Sgd;

/**
 * How to train, the same for every entry point: {@code cltrain train} (and {@code bench}) and SparkTrain build
 * one from their options, a Java caller with {@link #defaults()} and the withers. A value left null takes its
 * named default; a bad value is an {@link InputException} naming the parameter as Java does
 * ({@link InputException#parameter()}, e.g. "batchSize"), which a command maps to its option.
 *
 * @param optimizer    the update rule's name (sgd, momentum, adam, adamw); null for {@link #DEFAULT_OPTIMIZER}
 * @param learningRate η; null for {@link #defaultLearningRate}
 * @param momentum     μ of momentum; null for the optimizer's usual one
 * @param beta1        Adam's β1; null for the usual one
 * @param beta2        Adam's β2; null for the usual one
 * @param epsilon      Adam's ε; null for the usual one
 * @param weightDecay  L2 weight decay; null for none
 * @param batchSize    rows per step, positive; null for the whole training set (the seed's full batch)
 * @param seed         np.random.seed of the initial weights and the shuffling, 0 to 2³²−1; null for {@link #DEFAULT_SEED}
 * @param regularization decay-all, gradient clipping and label smoothing; null for {@link Regularization#NONE}
 */
public record TrainingRecipe(String optimizer, Float learningRate, Float momentum, Float beta1, Float beta2,
    Float epsilon, Float weightDecay, Integer batchSize, Long seed, Regularization regularization) {
  /**
   * A recipe without regularization ({@link Regularization#NONE}).
   *
   * @param optimizer    the update rule's name; null for the default
   * @param learningRate η; null for the rule's default
   * @param momentum     μ; null for the default
   * @param beta1        β1; null for the default
   * @param beta2        β2; null for the default
   * @param epsilon      ε; null for the default
   * @param weightDecay  weight decay; null for the rule's default (adamw 0.01, else none)
   * @param batchSize    rows per step; null for the full batch
   * @param seed         the seed; null for the default
   */
  public TrainingRecipe(String optimizer, Float learningRate, Float momentum, Float beta1, Float beta2,
      Float epsilon, Float weightDecay, Integer batchSize, Long seed) {
    this(optimizer, learningRate, momentum, beta1, beta2, epsilon, weightDecay, batchSize, seed, null);
  }

  /** The update rule when none is named: plain gradient descent, the seed's. */
  public static final Optimizer.Kind DEFAULT_OPTIMIZER = Sgd.KIND;
  /** The seed when none is given: the seed program's np.random.seed(0). */
  public static final long DEFAULT_SEED = 0;
  /** The largest seed: np.random.seed takes 32 bits. */
  public static final long MAX_SEED = 0xFFFFFFFFL;

  /** {@return a recipe of defaults only} */
  public static TrainingRecipe defaults() {
    return new TrainingRecipe(null, null, null, null, null, null, null, null, null);
  }

  /**
   * @param kind the update rule
   * @return its learning rate when none is given: 0.1 for sgd (the seed's), 0.01 for momentum, 0.001 for adam
   */
  public static float defaultLearningRate(Optimizer.Kind kind) {
    return kind.defaultLearningRate;
  }

  /** {@return the update rule named, else the default} */
  public Optimizer.Kind optimizerKind() {
    return optimizer == null ? DEFAULT_OPTIMIZER : Optimizer.parse(optimizer);
  }

  /**
   * The optimizer with its hyper-parameters, defaults filled in by the rule ({@link Optimizer.Kind#build}: the
   * learning rate by kind, μ, β1, β2 and ε the rule's own; weight decay none but for adamw's 0.01), with the
   * recipe's regularization.
   *
   * @return the optimizer
   * @throws InputException for an unknown optimizer or a hyper-parameter out of range
   */
  public Optimizer toOptimizer() {
    Optimizer rule = optimizerKind().build(new Optimizer.Options(learningRate, momentum, beta1, beta2, epsilon,
        weightDecay));
    return regularization == null ? rule : rule.withRegularization(regularization);
  }

  /** {@return the batch size, 0 for the whole training set} @throws InputException when given and not positive */
  public int rowsPerBatch() {
    if (batchSize != null && batchSize <= 0) {
      throw InputException.parameter("batchSize", "must be positive, got " + batchSize);
    }
    return batchSize == null ? 0 : batchSize;
  }

  /** {@return the seed, the default when none is given} @throws InputException when out of 0 to 2³²−1 */
  public long seedOrDefault() {
    long s = seed == null ? DEFAULT_SEED : seed;
    if (s < 0 || s > MAX_SEED) {
      throw InputException.parameter("seed", "must be between 0 and " + MAX_SEED + ", got " + s);
    }
    return s;
  }

  /**
   * Checks every value (the optimizer's, the batch size, the seed) so that a bad one is refused before any data
   * is read.
   *
   * @return this recipe
   * @throws InputException naming the first bad value
   */
  public TrainingRecipe check() {
    toOptimizer();
    seedOrDefault();
    return this;
  }

  /**
   * @param training a training of this recipe's network and data
   * @return it with this recipe's optimizer and batch size
   */
  public Training applyTo(Training training) {
    return training.optimizer(toOptimizer()).batchSize(rowsPerBatch());
  }

  /**
   * @param kind the optimizer's name
   * @return this recipe with that optimizer
   */
  public TrainingRecipe withOptimizer(String kind) {
    return new TrainingRecipe(kind, learningRate, momentum, beta1, beta2, epsilon, weightDecay, batchSize, seed,
        regularization);
  }

  /**
   * @param rate η, or null for the optimizer's default
   * @return this recipe with that learning rate
   */
  public TrainingRecipe withLearningRate(Float rate) {
    return new TrainingRecipe(optimizer, rate, momentum, beta1, beta2, epsilon, weightDecay, batchSize, seed,
        regularization);
  }

  /**
   * @param rows rows per step, or null for the whole set
   * @return this recipe with that batch size
   */
  public TrainingRecipe withBatchSize(Integer rows) {
    return new TrainingRecipe(optimizer, learningRate, momentum, beta1, beta2, epsilon, weightDecay, rows, seed,
        regularization);
  }

  /**
   * @param s the seed, or null for the default
   * @return this recipe with that seed
   */
  public TrainingRecipe withSeed(Long s) {
    return new TrainingRecipe(optimizer, learningRate, momentum, beta1, beta2, epsilon, weightDecay, batchSize, s,
        regularization);
  }

  /**
   * @param applied decay-all, clipping and label smoothing, e.g. {@code new Regularization(false, 1.0f, 0.1f)};
   *                null for none
   * @return this recipe with them
   */
  public TrainingRecipe withRegularization(Regularization applied) {
    return new TrainingRecipe(optimizer, learningRate, momentum, beta1, beta2, epsilon, weightDecay, batchSize, seed,
        applied);
  }

  private static float or(Float value, float otherwise) {
    return value == null ? otherwise : value;
  }
}
