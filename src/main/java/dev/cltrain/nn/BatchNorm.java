package dev.cltrain.nn;

import java.util.Arrays;
import java.util.List;

/**
 * Batch normalization ({@code bn}, {@code batchnorm}) per channel of an image (after a conv, pooling or gap),
 * then an activation: y = f(γ·(x − mean)/sqrt(var + ε) + β). Training normalizes with the batch's mean and
 * biased variance over rows × pixels and moves the running statistics by {@code momentum} towards the batch
 * mean and unbiased variance (PyTorch's BatchNorm2d: running = (1 − m)·running + m·batch); evaluation and
 * prediction use the running statistics (kernels/batchnorm.cl). γ and β are trained (and never weight-decayed);
 * the running statistics are state, saved with the model. An immutable value: the arrays are copied in and out.
 *
 * <pre>{@code
 * BatchNorm bn = BatchNorm.fresh(new Shape(14, 14, 32), BatchNorm.MOMENTUM, BatchNorm.EPSILON, Activation.RELU);
 * String items = bn.netItems(); // "bn,relu"
 * }</pre>
 *
 * @param input           the shape taken (and given); channels are normalized each on its own
 * @param momentum        m, in [0, 1]
 * @param epsilon         ε, above 0
 * @param activation      f (not softmax)
 * @param gamma           γ, one per channel
 * @param beta            β, one per channel
 * @param runningMean     the running means, one per channel
 * @param runningVariance the running variances, one per channel
 */
public record BatchNorm(Shape input, float momentum, float epsilon, Activation activation, float[] gamma, float[] beta,
    float[] runningMean, float[] runningVariance) implements Layer {
  /** PyTorch's default momentum. */
  public static final float MOMENTUM = 0.1f;
  /** PyTorch's default ε. */
  public static final float EPSILON = 1e-5f;

  /**
   * @throws IllegalArgumentException if momentum or ε is out of range, f is softmax, or an array's length is
   *     not the channel count
   */
  public BatchNorm {
    String bad = check(momentum, epsilon);
    if (bad != null) {
      throw new IllegalArgumentException(bad);
    }
    if (activation == Activation.SOFTMAX) {
      throw new IllegalArgumentException("softmax is only the output layer's activation");
    }
    int c = input.channels();
    if (gamma.length != c || beta.length != c || runningMean.length != c || runningVariance.length != c) {
      throw new IllegalArgumentException("batch norm of " + c + " channels given arrays of " + gamma.length + ", "
          + beta.length + ", " + runningMean.length + " and " + runningVariance.length);
    }
    gamma = gamma.clone();
    beta = beta.clone();
    runningMean = runningMean.clone();
    runningVariance = runningVariance.clone();
  }

  /**
   * @param momentum m
   * @param epsilon  ε
   * @return what is wrong with them (momentum outside [0, 1], ε not above 0), or null
   */
  public static String check(float momentum, float epsilon) {
    if (!(momentum >= 0f && momentum <= 1f)) {
      return "the momentum " + momentum + " is outside [0, 1]";
    }
    if (!(epsilon > 0f) || Float.isInfinite(epsilon)) {
      return "epsilon " + epsilon + " is not a positive number";
    }
    return null;
  }

  /**
   * A new layer: γ = 1, β = 0, running mean 0, running variance 1 (PyTorch's initial values).
   *
   * @param input      the shape taken
   * @param momentum   m
   * @param epsilon    ε
   * @param activation f
   * @return the layer
   */
  public static BatchNorm fresh(Shape input, float momentum, float epsilon, Activation activation) {
    float[] ones = new float[input.channels()];
    Arrays.fill(ones, 1f);
    float[] zeros = new float[input.channels()];
    return new BatchNorm(input, momentum, epsilon, activation, ones, zeros, zeros, ones);
  }

  @Override
  public float[] gamma() {
    return gamma.clone();
  }

  @Override
  public float[] beta() {
    return beta.clone();
  }

  @Override
  public float[] runningMean() {
    return runningMean.clone();
  }

  @Override
  public float[] runningVariance() {
    return runningVariance.clone();
  }

  @Override
  public Shape output() {
    return input;
  }

  @Override
  public LayerKind kind() {
    return LayerKind.BATCHNORM;
  }

  @Override
  public long parameterCount() {
    return 2L * gamma.length;
  }

  /** @return γ then β: the trainable arrays (the running statistics are not trained) */
  @Override
  public List<float[]> parameters() {
    return List.of(gamma(), beta());
  }

  @Override
  public BatchNorm withParameters(List<float[]> values) {
    return new BatchNorm(input, momentum, epsilon, activation, values.get(0), values.get(1), runningMean,
        runningVariance);
  }

  /** @return the running mean then the running variance: its state, updated while training, not trained */
  @Override
  public List<float[]> state() {
    return List.of(runningMean(), runningVariance());
  }

  @Override
  public BatchNorm withState(List<float[]> values) {
    return new BatchNorm(input, momentum, epsilon, activation, gamma, beta, values.get(0), values.get(1));
  }

  /** @return "bn" with PyTorch's defaults, else "bn:MOMENTUM:EPSILON" */
  @Override
  public String spec() {
    return momentum == MOMENTUM && epsilon == EPSILON ? "bn" : "bn:" + momentum + ":" + epsilon;
  }

  @Override
  public String netItems() {
    return spec() + (activation == Activation.IDENTITY ? "" : "," + activation.id);
  }

  @Override
  public String describe() {
    return spec() + " " + activation.id;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BatchNorm b && input.equals(b.input) && Float.compare(momentum, b.momentum) == 0
        && Float.compare(epsilon, b.epsilon) == 0 && activation == b.activation && Arrays.equals(gamma, b.gamma)
        && Arrays.equals(beta, b.beta) && Arrays.equals(runningMean, b.runningMean)
        && Arrays.equals(runningVariance, b.runningVariance);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(input, momentum, epsilon, activation, Arrays.hashCode(gamma), Arrays.hashCode(beta),
        Arrays.hashCode(runningMean), Arrays.hashCode(runningVariance));
  }

  @Override
  public String toString() {
    return "BatchNorm(" + input + " " + spec() + " " + activation.id + ")";
  }
}
