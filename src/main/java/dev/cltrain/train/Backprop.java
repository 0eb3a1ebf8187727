package dev.cltrain.train;

import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Layer;
import dev.cltrain.nn.Network;
import java.util.ArrayList;
import java.util.List;

/**
 * One epoch of backpropagation, written once for every backend: the seed's program generalised to L dense
 * sigmoid layers with MSE loss and full-batch gradient descent. Buffers are allocated and the data uploaded
 * once, in the constructor; an epoch only enqueues kernels, and only the loss (when asked) comes back.
 *
 * <pre>
 * forward   a₀ = X;  aₗ = σ(aₗ₋₁·Wₗ + bₗ)                          matmul, bias_sigmoid
 * loss      mean of ½(a_L − y)²                                     mse_loss
 * backward  dz_L = (a_L − y)·a_L(1 − a_L)                           output_delta
 *           dWₗ = aₗ₋₁ᵀ·dzₗ / n;  dbₗ = Σ dzₗ / n                   matmul_transpose_a, column_sum
 *           dzₗ₋₁ = (dzₗ·Wₗᵀ) ⊙ aₗ₋₁(1 − aₗ₋₁)  (weights before the update)   matmul_transpose_b, hidden_delta
 * update    Wₗ −= η·dWₗ;  bₗ −= η·dbₗ  for every layer                sgd_update
 * </pre>
 */
public class Backprop<B> implements Trainer {
  private final Backend<B> backend;
  private final Network initial;
  private final int samples;
  private final int[] widths;
  private final float learningRate;
  private final B y;
  private final B loss;
  /** Index l = 0..L: activations[0] is X; activations[l] the output of layer l (z is computed in place). */
  private final List<B> activations = new ArrayList<>();
  /** Index l = 1..L (index 0 unused): per layer parameters, their gradients and the layer's delta. */
  private final List<B> weights = new ArrayList<>();
  private final List<B> biases = new ArrayList<>();
  private final List<B> weightGradients = new ArrayList<>();
  private final List<B> biasGradients = new ArrayList<>();
  private final List<B> deltas = new ArrayList<>();

  /** Takes ownership of {@code backend}: it is closed with this trainer, or at once if set-up fails. */
  public Backprop(Backend<B> backend, Network initial, DataSet data, float learningRate) {
    this.backend = backend;
    this.initial = initial;
    this.samples = data.rows();
    this.widths = initial.widths();
    this.learningRate = learningRate;
    if (widths[0] != data.inputs() || widths[widths.length - 1] != data.outputs()) {
      backend.close();
      throw new IllegalArgumentException("network " + java.util.Arrays.toString(widths) + " does not fit data with "
          + data.inputs() + " inputs and " + data.outputs() + " outputs");
    }
    try {
      activations.add(backend.upload(data.x()));
      this.y = backend.upload(data.y());
      this.loss = backend.allocate(1);
      weights.add(null);
      biases.add(null);
      weightGradients.add(null);
      biasGradients.add(null);
      deltas.add(null);
      for (Layer layer : initial.layers()) {
        weights.add(backend.upload(layer.weights()));
        biases.add(backend.upload(layer.bias()));
        weightGradients.add(backend.allocate(layer.weights().length));
        biasGradients.add(backend.allocate(layer.outputs()));
        activations.add(backend.allocate(samples * layer.outputs()));
        deltas.add(backend.allocate(samples * layer.outputs()));
      }
    } catch (RuntimeException e) {
      backend.close();
      throw e;
    }
  }

  /** Bytes of device memory a network and data set of these sizes need (every buffer above). */
  public static long bytesNeeded(Network network, DataSet data) {
    long floats = (long) data.rows() * (data.inputs() + data.outputs()) + 1;
    for (Layer layer : network.layers()) {
      floats += 2L * (layer.weights().length + layer.outputs()) + 2L * data.rows() * layer.outputs();
    }
    return 4 * floats;
  }

  private int layerCount() {
    return widths.length - 1;
  }

  private void forward() {
    for (int l = 1; l <= layerCount(); l++) {
      B a = activations.get(l);
      backend.matmul(samples, widths[l], widths[l - 1], 1.0f, activations.get(l - 1), weights.get(l), a);
      backend.biasSigmoid(samples, widths[l], a, biases.get(l), a);
    }
  }

  private void enqueueLoss() {
    backend.mseLoss(samples * widths[layerCount()], activations.get(layerCount()), y, loss);
  }

  private void backward() {
    int last = layerCount();
    float perSample = 1.0f / samples;
    backend.outputDelta(samples * widths[last], activations.get(last), y, deltas.get(last));
    for (int l = last; l >= 1; l--) {
      backend.matmulTransposeA(widths[l - 1], widths[l], samples, perSample, activations.get(l - 1), deltas.get(l),
          weightGradients.get(l));
      backend.columnSum(samples, widths[l], perSample, deltas.get(l), biasGradients.get(l));
      if (l > 1) {
        backend.matmulTransposeB(samples, widths[l - 1], widths[l], 1.0f, deltas.get(l), weights.get(l),
            deltas.get(l - 1));
        backend.hiddenDelta(samples * widths[l - 1], activations.get(l - 1), deltas.get(l - 1));
      }
    }
  }

  private void update() {
    for (int l = 1; l <= layerCount(); l++) {
      backend.sgdUpdate(widths[l - 1] * widths[l], learningRate, weightGradients.get(l), weights.get(l));
      backend.sgdUpdate(widths[l], learningRate, biasGradients.get(l), biases.get(l));
    }
  }

  @Override
  public String deviceName() {
    return backend.name();
  }

  @Override
  public float epoch(boolean wantLoss) {
    forward();
    if (wantLoss) {
      enqueueLoss();
    }
    backward();
    update();
    if (!wantLoss) {
      backend.flush();
      return Float.NaN;
    }
    return readLoss(); // the loss buffer is not touched after mse_loss, so one read at the end suffices
  }

  private float readLoss() {
    float[] value = new float[1];
    backend.download(loss, value);
    return value[0];
  }

  @Override
  public Evaluation evaluate() {
    forward();
    enqueueLoss();
    float[] outputs = new float[samples * widths[layerCount()]];
    backend.download(activations.get(layerCount()), outputs);
    return new Evaluation(readLoss(), outputs);
  }

  @Override
  public Network network() {
    List<Layer> layers = new ArrayList<>();
    for (int l = 1; l <= layerCount(); l++) {
      Layer shape = initial.layers().get(l - 1);
      float[] w = new float[shape.weights().length];
      float[] b = new float[shape.outputs()];
      backend.download(weights.get(l), w);
      backend.download(biases.get(l), b);
      layers.add(new Layer(shape.inputs(), shape.outputs(), shape.activation(), w, b));
    }
    return new Network(initial.loss(), layers);
  }

  @Override
  public void close() {
    backend.close();
  }
}
