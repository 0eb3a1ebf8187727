package dev.cltrain.train;

import dev.cltrain.testing.Backends;
import dev.cltrain.device.Device;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cltrain.device.Trainer;
import dev.cltrain.data.DataSet;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Conv;
import dev.cltrain.nn.Conv1d;
import dev.cltrain.nn.Pool1d;
import dev.cltrain.nn.Dropout;
import dev.cltrain.nn.Dense;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.nn.Optimizer;
import dev.cltrain.nn.BatchNorm;
import dev.cltrain.nn.GlobalPool;
import dev.cltrain.nn.Pool;
import dev.cltrain.nn.Residual;
import dev.cltrain.nn.Embedding;
import dev.cltrain.nn.Recurrent;
import dev.cltrain.nn.Shape;
import dev.cltrain.nn.Layer;
import dev.cltrain.reference.Philox;
import dev.cltrain.testing.Tolerances;
import dev.cltrain.testing.Trainers;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Convolutional networks end to end: the analytic gradients of every layer type (conv same and valid, stride
 * 1 and 2, max and average pooling, dropout in the stages and after a dense layer, in a dense-only net too,
 * residual blocks with the identity and the projection shortcut, dense, batch norms per unit after dense layers, a batch norm on a projection shortcut) against central
 * differences of an independent float64 forward pass written here; and training on every OpenCL device equal
 * to the reference bit for bit.
 */
class ConvNetTest {
  /** Central differences' step, in double (the float64 forward is exact enough for it). */
  private static final double EPSILON = 1e-6;
  /**
   * Agreement of analytic and numeric gradients: the analytic one comes from a float32 SGD step with η = 1,
   * (w − w'), so it carries float32 rounding of about 1e-7 of |w|; absolute 2e-5 or relative 1e-3 covers that.
   */
  private static final double ABSOLUTE = 2e-5;
  private static final double RELATIVE = 1e-3;

  /** Net A: 6x5x2 → conv 3:3 same tanh → maxpool 2 → dropout 0.3 → conv 4:2 valid sigmoid → dense 3 (xent). */
  static Network netA(Loss loss, long seed) {
    Random r = new Random(seed);
    Shape in = new Shape(6, 5, 2);
    Conv c1 = conv(r, in, 3, 3, 1, true, Activation.TANH);
    Pool p1 = new Pool(c1.output(), true, 2);
    Dropout d1 = new Dropout(p1.output(), 0.3f);
    Conv c2 = conv(r, d1.output(), 4, 2, 1, false, Activation.SIGMOID);
    int flat = c2.output().size();
    Dense out = dense(r, flat, 3, loss == Loss.XENT ? Activation.SOFTMAX : Activation.SIGMOID);
    return new Network(in, List.of(c1, p1, d1, c2, out), loss, 1f, null, null, 12345L);
  }

  /** Net B: 7x7x1 → conv 2:3 stride 2 same relu → avgpool 2 → dense 5 tanh, dropout 0.25 → dense 3. */
  static Network netB(Loss loss, long seed) {
    Random r = new Random(seed);
    Shape in = new Shape(7, 7, 1);
    Conv c1 = conv(r, in, 2, 3, 2, true, Activation.RELU);
    Pool p1 = new Pool(c1.output(), false, 2);
    Dense hidden = dense(r, p1.output().size(), 5, Activation.TANH);
    Dense out = dense(r, 5, 3, loss == Loss.XENT ? Activation.SOFTMAX : Activation.SIGMOID);
    return new Network(in, List.of(c1, p1, hidden, new Dropout(hidden.output(), 0.25f), out), loss, 1f, null, null,
        0xFEEDFACECAFEL);
  }

  /** Net C: a dense net with dropout only: 6 inputs → dense 7 relu, dropout 0.4 → dense 3. */
  static Network netC(Loss loss, long seed) {
    Random r = new Random(seed);
    Dense hidden = dense(r, 6, 7, Activation.RELU);
    Dense out = dense(r, 7, 3, loss == Loss.XENT ? Activation.SOFTMAX : Activation.SIGMOID);
    return new Network(new Shape(1, 1, 6), List.of(hidden, new Dropout(hidden.output(), 0.4f), out), loss, 1f, null,
        null, 77L);
  }

  /** Net D: 5x4x2 → conv 3:3 same tanh → gap → dense 4 relu → dense 3. */
  static Network netD(Loss loss, long seed) {
    Random r = new Random(seed);
    Shape in = new Shape(5, 4, 2);
    Conv c1 = conv(r, in, 3, 3, 1, true, Activation.TANH);
    GlobalPool g = new GlobalPool(c1.output());
    Dense hidden = dense(r, g.output().size(), 4, Activation.RELU);
    Dense out = dense(r, 4, 3, loss == Loss.XENT ? Activation.SOFTMAX : Activation.SIGMOID);
    return new Network(in, List.of(c1, g, hidden, out), loss, 1f, null, null, 3L);
  }

  /** Net E: 4x3x2 → conv 3:2 same (identity) → bn tanh → avgpool 2 → bn:0.3:0.01 (1x1x3) → dense 3. */
  static Network netE(Loss loss, long seed) {
    Random r = new Random(seed);
    Shape in = new Shape(4, 3, 2);
    Conv c1 = conv(r, in, 3, 2, 1, true, Activation.IDENTITY);
    BatchNorm b1 = batchNorm(r, c1.output(), BatchNorm.MOMENTUM, BatchNorm.EPSILON, Activation.TANH);
    Pool p1 = new Pool(b1.output(), false, 2);
    BatchNorm b2 = batchNorm(r, p1.output(), 0.3f, 0.01f, Activation.IDENTITY);
    Dense out = dense(r, b2.output().size(), 3, loss == Loss.XENT ? Activation.SOFTMAX : Activation.SIGMOID);
    return new Network(in, List.of(c1, b1, p1, b2, out), loss, 1f, null, null, 5L);
  }

  private static BatchNorm batchNorm(Random r, Shape in, float momentum, float epsilon, Activation f) {
    float[] gamma = new float[in.channels()];
    float[] beta = new float[in.channels()];
    fill(r, gamma, 0.5);
    fill(r, beta, 0.3);
    for (int c = 0; c < gamma.length; c++) {
      gamma[c] += 1;
    }
    return BatchNorm.fresh(in, momentum, epsilon, f).withParameters(List.of(gamma, beta));
  }

  /**
   * Net F, residual blocks with both shortcuts: 4x4x2 → residual(conv 2:3, bn:0.2:0.01 tanh, conv 2:3) relu
   * (the identity shortcut, a bn inside; the first layer, so its backward pass computes no input gradient) → residual(conv 3:3 stride 2
   * tanh, avgpool 1, conv 3:2) tanh (the projection shortcut, a 1x1 conv of stride 2 to 2x2x3; its input
   * gradient flows into the first block) → dense 3.
   */
  static Network netF(Loss loss, long seed) {
    Random r = new Random(seed);
    Shape in = new Shape(4, 4, 2);
    Residual identity = new Residual(in, List.of(conv(r, in, 2, 3, 1, true, Activation.IDENTITY),
        batchNorm(r, in, 0.2f, 0.01f, Activation.TANH), conv(r, in, 2, 3, 1, true, Activation.IDENTITY)), null,
        Activation.RELU);
    Conv down = conv(r, in, 3, 3, 2, true, Activation.TANH);
    Pool keep = new Pool(down.output(), false, 1);
    Conv second = conv(r, keep.output(), 3, 2, 1, true, Activation.IDENTITY);
    Residual projected = new Residual(in, List.of(down, keep, second), conv(r, in, 3, 1, 2, true, Activation.IDENTITY),
        Activation.TANH);
    Dense out = dense(r, projected.output().size(), 3, loss == Loss.XENT ? Activation.SOFTMAX : Activation.SIGMOID);
    return new Network(in, List.of(identity, projected, out), loss, 1f, null, null, 5L);
  }

  /**
   * Net G, batch norms per unit after dense layers: 3x2x2 → conv 2:2 tanh → dense 5 (identity) → bn:0.2:0.01 relu
   * → dropout 0.3 → dense 4 tanh → bn (identity; its input gradient times tanh') → dense 3. The gradient flows
   * through both norms and the dropout into the conv.
   */
  static Network netG(Loss loss, long seed) {
    Random r = new Random(seed);
    Shape in = new Shape(3, 2, 2);
    Conv c1 = conv(r, in, 2, 2, 1, true, Activation.TANH);
    Dense d1 = dense(r, c1.output().size(), 5, Activation.IDENTITY);
    BatchNorm b1 = batchNorm(r, d1.output(), 0.2f, 0.01f, Activation.RELU);
    Dense d2 = dense(r, 5, 4, Activation.TANH);
    BatchNorm b2 = batchNorm(r, d2.output(), BatchNorm.MOMENTUM, BatchNorm.EPSILON, Activation.IDENTITY);
    Dense out = dense(r, 4, 3, loss == Loss.XENT ? Activation.SOFTMAX : Activation.SIGMOID);
    return new Network(in, List.of(c1, d1, b1, new Dropout(b1.output(), 0.3f), d2, b2, out), loss, 1f, null, null,
        21L);
  }

  /**
   * Net H, the basic block with a batch norm on its projection shortcut (resblock:3:s2): 4x4x2 → conv 2:2 tanh →
   * residual(conv 3:3 stride 2, bn:0.2:0.01 relu, conv 3:3, bn:0.2:0.01) relu, the shortcut a 1x1 conv of stride 2
   * then bn:0.2:0.01 (γ, β drawn) → dense 3. The input gradient of both branches flows into the first conv.
   */
  static Network netH(Loss loss, long seed) {
    Random r = new Random(seed);
    Shape in = new Shape(4, 4, 2);
    Conv c1 = conv(r, in, 2, 2, 1, true, Activation.TANH);
    Conv down = conv(r, in, 3, 3, 2, true, Activation.IDENTITY);
    BatchNorm b1 = batchNorm(r, down.output(), 0.2f, 0.01f, Activation.RELU);
    Conv second = conv(r, down.output(), 3, 3, 1, true, Activation.IDENTITY);
    BatchNorm b2 = batchNorm(r, second.output(), 0.2f, 0.01f, Activation.IDENTITY);
    Conv projection = conv(r, in, 3, 1, 2, true, Activation.IDENTITY);
    BatchNorm shortcut = batchNorm(r, projection.output(), 0.2f, 0.01f, Activation.IDENTITY);
    Residual block = new Residual(in, List.of(down, b1, second, b2), projection, shortcut, Activation.RELU);
    Dense out = dense(r, block.output().size(), 3, loss == Loss.XENT ? Activation.SOFTMAX : Activation.SIGMOID);
    return new Network(in, List.of(c1, block, out), loss, 1f, null, null, 6L);
  }

  /**
   * Net K, 1-D convolutions on a sequence: 9x1x2 → conv1d 3:4 same tanh (an even kernel: one zero step before, two
   * after) → maxpool1d 2 (4 steps, the ninth left out) → conv1d 2:2 stride 2 valid sigmoid (its input gradient
   * through col2im1d and max_pool1d_backward) → gap1d → dense 3.
   */
  static Network netK(Loss loss, long seed) {
    Random r = new Random(seed);
    Shape in = new Shape(9, 1, 2);
    Conv1d c1 = conv1d(r, in, 3, 4, 1, true, Activation.TANH);
    Pool1d p1 = new Pool1d(c1.output(), 2);
    Conv1d c2 = conv1d(r, p1.output(), 2, 2, 2, false, Activation.SIGMOID);
    GlobalPool g = new GlobalPool(c2.output());
    Dense out = dense(r, g.output().size(), 3, loss == Loss.XENT ? Activation.SOFTMAX : Activation.SIGMOID);
    return new Network(in, List.of(c1, p1, c2, g, out), loss, 1f, null, null, 4L);
  }

  private static Conv1d conv1d(Random r, Shape in, int filters, int k, int stride, boolean same, Activation f) {
    float[] w = new float[k * in.channels() * filters];
    float[] b = new float[filters];
    fill(r, w, 0.6);
    fill(r, b, 0.2);
    return new Conv1d(in, filters, k, stride, same, f, w, b);
  }

  /**
   * Net I, recurrent layers on a sequence: 3 steps of 4 features (a 3x2x2 input read by rows) → lstm:3:seq → gru:2
   * (the last step) → dense 3.
   */
  static Network netI(Loss loss, long seed) {
    Random r = new Random(seed);
    Shape in = new Shape(3, 2, 2);
    Recurrent lstm = recurrent(r, Recurrent.Cell.LSTM, in, 3, true);
    Recurrent gru = recurrent(r, Recurrent.Cell.GRU, lstm.output(), 2, false);
    Dense out = dense(r, gru.output().size(), 3, loss == Loss.XENT ? Activation.SOFTMAX : Activation.SIGMOID);
    return new Network(in, List.of(lstm, gru, out), loss, 1f, null, null, 4L);
  }

  /**
   * Net J, masked: 5 token ids per row (V = 6, padding at the ends: {@link #data} gives rows of lengths 5, 3, 0, 2
   * with ids after the first 0 too) → embedding:6:3 → gru:3:seq → dropout 0.2 → lstm:2 → dense 3. Both recurrent
   * layers skip the steps at and past each row's length.
   */
  static Network netJ(Loss loss, long seed) {
    Random r = new Random(seed);
    float[] w = new float[6 * 3];
    fill(r, w, 0.8);
    java.util.Arrays.fill(w, 0, 3, 0f);
    Embedding e = new Embedding(5, 6, 3, w);
    Recurrent gru = recurrent(r, Recurrent.Cell.GRU, e.output(), 3, true);
    Dropout d = new Dropout(gru.output(), 0.2f);
    Recurrent lstm = recurrent(r, Recurrent.Cell.LSTM, d.output(), 2, false);
    Dense out = dense(r, lstm.output().size(), 3, loss == Loss.XENT ? Activation.SOFTMAX : Activation.SIGMOID);
    return new Network(e.input(), List.of(e, gru, d, lstm, out), loss, 1f, null, null, 9L);
  }

  private static Recurrent recurrent(Random r, Recurrent.Cell cell, Shape in, int hidden, boolean sequence) {
    int rows = cell.gates * hidden;
    float[][] a = {new float[rows * in.width() * in.channels()], new float[rows * hidden], new float[rows],
        new float[rows]};
    for (float[] v : a) {
      fill(r, v, 0.6);
    }
    return new Recurrent(cell, in, hidden, sequence, a[0], a[1], a[2], a[3]);
  }

  private static Conv conv(Random r, Shape in, int filters, int k, int stride, boolean same, Activation f) {
    float[] w = new float[k * k * in.channels() * filters];
    float[] b = new float[filters];
    fill(r, w, 0.6);
    fill(r, b, 0.2);
    return new Conv(in, filters, k, stride, same, f, w, b);
  }

  private static Dense dense(Random r, int inputs, int outputs, Activation f) {
    float[] w = new float[inputs * outputs];
    float[] b = new float[outputs];
    fill(r, w, 0.6);
    fill(r, b, 0.2);
    return new Dense(inputs, outputs, f, w, b);
  }

  private static void fill(Random r, float[] a, double scale) {
    for (int i = 0; i < a.length; i++) {
      a[i] = (float) (r.nextGaussian() * scale);
    }
  }

  static DataSet data(Network net, int rows, long seed) {
    Random r = new Random(seed);
    int in = net.inputs();
    int out = net.outputs();
    float[] x = new float[rows * in];
    float[] y = new float[rows * out];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    if (net.layers().get(0) instanceof Embedding e) { // ids; lengths 5, 3, 0, 2, ... (ids after the first 0 too)
      int[] lengths = {5, 3, 0, 2};
      for (int i = 0; i < x.length; i++) {
        int t = i % e.steps();
        x[i] = t == lengths[i / e.steps() % 4] ? 0 : 1 + r.nextInt(e.vocabulary() - 1);
      }
    }
    for (int s = 0; s < rows; s++) {
      if (net.loss() == Loss.XENT) {
        y[s * out + r.nextInt(out)] = 1;
      } else {
        for (int c = 0; c < out; c++) {
          y[s * out + c] = r.nextFloat();
        }
      }
    }
    return new DataSet("random", rows, in, out, x, y);
  }

  static Stream<Arguments> nets() {
    return Stream.of(Arguments.of("A", Loss.XENT), Arguments.of("A", Loss.MSE), Arguments.of("B", Loss.XENT),
        Arguments.of("B", Loss.MSE), Arguments.of("C", Loss.XENT), Arguments.of("C", Loss.MSE), Arguments.of("D", Loss.XENT),
        Arguments.of("D", Loss.MSE), Arguments.of("E", Loss.XENT), Arguments.of("E", Loss.MSE), Arguments.of("F", Loss.XENT),
        Arguments.of("F", Loss.MSE), Arguments.of("G", Loss.XENT), Arguments.of("G", Loss.MSE),
        Arguments.of("H", Loss.XENT), Arguments.of("H", Loss.MSE), Arguments.of("K", Loss.XENT),
        Arguments.of("K", Loss.MSE), Arguments.of("I", Loss.XENT), Arguments.of("I", Loss.MSE),
        Arguments.of("J", Loss.XENT), Arguments.of("J", Loss.MSE));
  }

  private static Network net(String which, Loss loss) {
    return switch (which) {
      case "A" -> netA(loss, 7);
      case "B" -> netB(loss, 8);
      case "D" -> netD(loss, 10);
      case "E" -> netE(loss, 11);
      case "F" -> netF(loss, 10);
      case "G" -> netG(loss, 12);
      case "H" -> netH(loss, 13);
      case "K" -> netK(loss, 14);
      case "I" -> netI(loss, 14);
      case "J" -> netJ(loss, 15);
      default -> netC(loss, 9);
    };
  }

  @ParameterizedTest(name = "net {0}, {1}")
  @MethodSource("nets")
  void analyticGradientsOfEveryLayerTypeMatchFloat64CentralDifferences(String which, Loss loss) {
    Network start = net(which, loss);
    DataSet data = data(start, 4, 3);
    Network stepped;
    try (Trainer t = Trainers.reference(start, data, Settings.fullBatchSgd(1.0f))) {
      t.epoch(false);
      stepped = t.network();
    }
    List<float[]> before = parameters(start);
    List<float[]> after = parameters(stepped);
    int checked = 0;
    for (int p = 0; p < before.size(); p++) {
      for (int i = 0; i < before.get(p).length; i++) {
        double analytic = (double) before.get(p)[i] - after.get(p)[i];
        double numeric = (objective(start, data, p, i, EPSILON) - objective(start, data, p, i, -EPSILON))
            / (2 * EPSILON);
        double diff = Math.abs(analytic - numeric);
        double relative = diff / (Math.abs(analytic) + Math.abs(numeric));
        assertTrue(diff <= ABSOLUTE || relative <= RELATIVE, "net " + which + " " + loss.id + ": parameter array "
            + p + " index " + i + ": analytic " + analytic + " numeric " + numeric + " relative " + relative);
        checked++;
      }
    }
    assertEquals(start.parameterCount(), checked, "every parameter checked");
  }

  /** Every parameter array in the trainer's order: each layer's, in order (the stages come before the dense layers). */
  private static List<float[]> parameters(Network net) {
    List<float[]> arrays = new ArrayList<>();
    for (Layer l : net.layers()) {
      arrays.addAll(l.parameters());
    }
    return arrays;
  }

  /**
   * The training objective in float64 with parameter (array, index) moved by {@code by}, dropout masks of step 0
   * (the first step's): mse Σ½(a − y)² / samples, xent the mean over samples of −Σ y·log p.
   */
  private static double objective(Network net, DataSet data, int array, int index, double by) {
    List<double[]> params = new ArrayList<>();
    for (float[] a : parameters(net)) {
      double[] d = new double[a.length];
      for (int i = 0; i < a.length; i++) {
        d[i] = a[i];
      }
      params.add(d);
    }
    params.get(array)[index] += by;
    int rows = data.rows();
    double[][] batch = new double[rows][net.inputs()];
    for (int s = 0; s < rows; s++) {
      for (int i = 0; i < net.inputs(); i++) {
        batch[s][i] = data.x()[s * net.inputs() + i];
      }
    }
    int p = 0;
    int stream = 0;
    int[] lengths = null; // after an embedding: each row's first 0 id
    if (net.layers().get(0) instanceof Embedding e) {
      lengths = new int[rows];
      for (int s = 0; s < rows; s++) {
        lengths[s] = e.steps();
        for (int t = e.steps() - 1; t >= 0; t--) {
          lengths[s] = batch[s][t] == 0 ? t : lengths[s];
        }
      }
    }
    for (Layer stage : net.stages()) {
      batch = stage instanceof Recurrent rec ? recurrent(rec, batch, params, p, lengths)
          : stage(stage, batch, params, p, net.dropoutSeed(), stream);
      p += stage.parameters().size();
      stream += stage instanceof Dropout ? 1 : 0;
    }
    int dense = -1; // the dense layers' batch norms (per unit, over the batch) and dropouts, after the stages
    for (Layer layer : net.layers().subList(net.stages().size(), net.layers().size())) {
      if (layer instanceof Dense d) {
        dense++;
        double[][] next = new double[rows][];
        for (int s = 0; s < rows; s++) {
          next[s] = dense(d, batch[s], params.get(p), params.get(p + 1));
        }
        batch = next;
      } else if (layer instanceof BatchNorm bn) {
        batch = stage(bn, batch, params, p, net.dropoutSeed(), stream);
      } else if (layer instanceof Dropout d && d.rate() > 0) {
        for (int s = 0; s < rows; s++) {
          batch[s] = drop(batch[s], d.rate(), net.dropoutSeed(), s, stream + dense);
        }
      }
      p += layer.parameters().size();
    }
    double sum = 0;
    for (int s = 0; s < rows; s++) {
      double[] v = batch[s];
      for (int c = 0; c < v.length; c++) {
        double y = data.y()[s * v.length + c];
        if (net.loss() == Loss.XENT) {
          sum -= y == 0 ? 0 : y * Math.log(v[c]);
        } else {
          sum += 0.5 * (v[c] - y) * (v[c] - y);
        }
      }
    }
    return sum / data.rows();
  }

  /**
   * One stage over the whole batch (batch normalization needs all rows), its parameter arrays from params[p] on,
   * dropout with the given stream; a residual block f(inner(v) + shortcut(v)), its parameters inner first.
   */
  private static double[][] stage(Layer stage, double[][] batch, List<double[]> params, int p, long seed, int stream) {
    int rows = batch.length;
    double[][] out = new double[rows][];
    if (stage instanceof BatchNorm bn) {
      for (int s = 0; s < rows; s++) {
        out[s] = batch[s].clone();
      }
      batchNorm(bn, out, params.get(p), params.get(p + 1));
      return out;
    }
    if (stage instanceof Residual block) {
      double[][] h = batch;
      int q = p;
      for (Layer inner : block.layers()) {
        h = stage(inner, h, params, q, seed, stream);
        q += inner.parameters().size();
      }
      double[][] shortcut = block.projection() == null ? batch : stage(block.projection(), batch, params, q, seed, stream);
      if (block.projectionNorm() != null) { // after the projection's weights and biases
        shortcut = stage(block.projectionNorm(), shortcut, params, q + 2, seed, stream);
      }
      for (int s = 0; s < rows; s++) {
        double[] added = new double[h[s].length];
        for (int i = 0; i < added.length; i++) {
          added[i] = h[s][i] + shortcut[s][i];
        }
        out[s] = activate(block.activation(), added);
      }
      return out;
    }
    for (int s = 0; s < rows; s++) {
      if (stage instanceof Conv c) {
        out[s] = conv(c, batch[s], params.get(p), params.get(p + 1));
      } else if (stage instanceof Conv1d c) {
        out[s] = conv1d(c, batch[s], params.get(p), params.get(p + 1));
      } else if (stage instanceof Pool1d pool) {
        out[s] = pool1d(pool, batch[s]);
      } else if (stage instanceof Pool pool) {
        out[s] = pool(pool, batch[s]);
      } else if (stage instanceof GlobalPool g) {
        out[s] = globalPool(g, batch[s]);
      } else if (stage instanceof Dropout d) {
        out[s] = drop(batch[s], d.rate(), seed, s, stream);
      } else if (stage instanceof Embedding e) {
        out[s] = new double[e.output().size()];
        for (int t = 0; t < e.steps(); t++) {
          for (int d = 0; d < e.dims(); d++) {
            out[s][t * e.dims() + d] = params.get(p)[(int) batch[s][t] * e.dims() + d];
          }
        }
      } else {
        throw new AssertionError("no float64 form of " + stage);
      }
    }
    return out;
  }

  /**
   * An LSTM or GRU over each row, PyTorch's equations from a zero state, W_ih, W_hh, b_ih, b_hh from params[p] on;
   * steps at or past lengths[s] (when given) carry the state and give 0 in a sequence output.
   */
  private static double[][] recurrent(Recurrent r, double[][] batch, List<double[]> params, int p, int[] lengths) {
    double[] wIh = params.get(p);
    double[] wHh = params.get(p + 1);
    double[] bIh = params.get(p + 2);
    double[] bHh = params.get(p + 3);
    int hidden = r.hidden();
    int features = r.features();
    int gates = r.cell().gates;
    double[][] out = new double[batch.length][];
    for (int s = 0; s < batch.length; s++) {
      double[] h = new double[hidden];
      double[] c = new double[hidden];
      out[s] = new double[r.output().size()];
      for (int t = 0; t < r.steps(); t++) {
        if (lengths != null && t >= lengths[s]) {
          continue; // the state carried; a sequence output stays 0
        }
        double[] xi = new double[gates * hidden]; // W_ih·x + b_ih, and W_hh·h + b_hh, per gate row
        double[] hh = new double[gates * hidden];
        for (int m = 0; m < gates * hidden; m++) {
          xi[m] = bIh[m];
          hh[m] = bHh[m];
          for (int f = 0; f < features; f++) {
            xi[m] += wIh[m * features + f] * batch[s][t * features + f];
          }
          for (int k = 0; k < hidden; k++) {
            hh[m] += wHh[m * hidden + k] * h[k];
          }
        }
        double[] next = new double[hidden];
        for (int j = 0; j < hidden; j++) {
          if (r.cell() == Recurrent.Cell.LSTM) {
            double i = sigmoid(xi[j] + hh[j]);
            double f = sigmoid(xi[hidden + j] + hh[hidden + j]);
            double g = Math.tanh(xi[2 * hidden + j] + hh[2 * hidden + j]);
            double o = sigmoid(xi[3 * hidden + j] + hh[3 * hidden + j]);
            c[j] = f * c[j] + i * g;
            next[j] = o * Math.tanh(c[j]);
          } else {
            double rg = sigmoid(xi[j] + hh[j]);
            double z = sigmoid(xi[hidden + j] + hh[hidden + j]);
            double n = Math.tanh(xi[2 * hidden + j] + rg * hh[2 * hidden + j]);
            next[j] = (1 - z) * n + z * h[j];
          }
        }
        h = next;
        if (r.sequence()) {
          System.arraycopy(h, 0, out[s], t * hidden, hidden);
        }
      }
      if (!r.sequence()) {
        out[s] = h;
      }
    }
    return out;
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  private static double[] dense(Dense layer, double[] v, double[] w, double[] b) {
    double[] z = new double[layer.outputs()];
    for (int j = 0; j < z.length; j++) {
      double acc = b[j];
      for (int i = 0; i < layer.inputs(); i++) {
        acc += v[i] * w[i * layer.outputs() + j];
      }
      z[j] = acc;
    }
    return activate(layer.activation(), z);
  }

  /** Dropout of sample s's values: value i of the sample is element s·n + i of the batch, step 0. */
  private static double[] drop(double[] v, float rate, long seed, int sample, int stream) {
    double[] out = new double[v.length];
    int threshold = Dropout.threshold(rate);
    double scale = Dropout.scale(rate);
    for (int i = 0; i < v.length; i++) {
      boolean keep = Philox.keep(sample * v.length + i, threshold, (int) seed, (int) (seed >>> 32), 0, 0, stream);
      out[i] = keep ? v[i] * scale : 0;
    }
    return out;
  }

  private static double[] conv(Conv c, double[] x, double[] w, double[] b) {
    Shape in = c.input();
    double[] out = new double[c.output().size()];
    for (int oy = 0; oy < c.outHeight(); oy++) {
      for (int ox = 0; ox < c.outWidth(); ox++) {
        for (int f = 0; f < c.filters(); f++) {
          double acc = b[f];
          for (int ky = 0; ky < c.kernel(); ky++) {
            for (int kx = 0; kx < c.kernel(); kx++) {
              int iy = oy * c.stride() + ky - c.padTop();
              int ix = ox * c.stride() + kx - c.padLeft();
              if (iy < 0 || iy >= in.height() || ix < 0 || ix >= in.width()) {
                continue;
              }
              for (int ch = 0; ch < in.channels(); ch++) {
                acc += x[(iy * in.width() + ix) * in.channels() + ch]
                    * w[((ky * c.kernel() + kx) * in.channels() + ch) * c.filters() + f];
              }
            }
          }
          out[(oy * c.outWidth() + ox) * c.filters() + f] = acc;
        }
      }
    }
    return activate(c.activation(), out);
  }

  private static double[] conv1d(Conv1d c, double[] x, double[] w, double[] b) {
    int features = c.input().channels();
    double[] out = new double[c.output().size()];
    for (int o = 0; o < c.outSteps(); o++) {
      for (int f = 0; f < c.filters(); f++) {
        double acc = b[f];
        for (int k = 0; k < c.kernel(); k++) {
          int t = o * c.stride() + k - c.padLeft();
          if (t < 0 || t >= c.steps()) {
            continue;
          }
          for (int ch = 0; ch < features; ch++) {
            acc += x[t * features + ch] * w[(k * features + ch) * c.filters() + f];
          }
        }
        out[o * c.filters() + f] = acc;
      }
    }
    return activate(c.activation(), out);
  }

  private static double[] pool1d(Pool1d p, double[] x) {
    int features = p.input().channels();
    double[] out = new double[p.output().size()];
    for (int o = 0; o < p.output().height(); o++) {
      for (int c = 0; c < features; c++) {
        double best = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < p.size(); j++) {
          best = Math.max(best, x[(o * p.size() + j) * features + c]);
        }
        out[o * features + c] = best;
      }
    }
    return out;
  }

  /** Batch normalization in training mode, in place: each channel over every row and pixel, biased variance. */
  private static void batchNorm(BatchNorm bn, double[][] batch, double[] gamma, double[] beta) {
    int channels = bn.input().channels();
    int pixels = bn.input().height() * bn.input().width();
    int count = batch.length * pixels;
    for (int c = 0; c < channels; c++) {
      double mean = 0;
      for (double[] v : batch) {
        for (int p = 0; p < pixels; p++) {
          mean += v[p * channels + c] / count;
        }
      }
      double variance = 0;
      for (double[] v : batch) {
        for (int p = 0; p < pixels; p++) {
          variance += (v[p * channels + c] - mean) * (v[p * channels + c] - mean) / count;
        }
      }
      double inv = 1 / Math.sqrt(variance + bn.epsilon());
      for (double[] v : batch) {
        for (int p = 0; p < pixels; p++) {
          v[p * channels + c] = gamma[c] * (v[p * channels + c] - mean) * inv + beta[c];
        }
      }
    }
    for (int s = 0; s < batch.length; s++) {
      batch[s] = activate(bn.activation(), batch[s]);
    }
  }

  private static double[] globalPool(GlobalPool g, double[] x) {
    Shape in = g.input();
    double[] out = new double[in.channels()];
    for (int i = 0; i < x.length; i++) {
      out[i % in.channels()] += x[i] / (in.height() * in.width());
    }
    return out;
  }

  private static double[] pool(Pool p, double[] x) {
    Shape in = p.input();
    Shape o = p.output();
    double[] out = new double[o.size()];
    for (int oy = 0; oy < o.height(); oy++) {
      for (int ox = 0; ox < o.width(); ox++) {
        for (int c = 0; c < o.channels(); c++) {
          double best = Double.NEGATIVE_INFINITY;
          double sum = 0;
          for (int ky = 0; ky < p.size(); ky++) {
            for (int kx = 0; kx < p.size(); kx++) {
              double v = x[((oy * p.size() + ky) * in.width() + ox * p.size() + kx) * in.channels() + c];
              best = Math.max(best, v);
              sum += v;
            }
          }
          out[(oy * o.width() + ox) * o.channels() + c] = p.max() ? best : sum / (p.size() * p.size());
        }
      }
    }
    return out;
  }

  private static double[] activate(Activation f, double[] z) {
    double[] a = new double[z.length];
    if (f == Activation.SOFTMAX) {
      double max = Double.NEGATIVE_INFINITY;
      for (double v : z) {
        max = Math.max(max, v);
      }
      double sum = 0;
      for (int i = 0; i < z.length; i++) {
        a[i] = Math.exp(z[i] - max);
        sum += a[i];
      }
      for (int i = 0; i < z.length; i++) {
        a[i] /= sum;
      }
      return a;
    }
    for (int i = 0; i < z.length; i++) {
      a[i] = switch (f) {
        case SIGMOID -> 1 / (1 + Math.exp(-z[i]));
        case TANH -> Math.tanh(z[i]);
        case RELU -> Math.max(0, z[i]);
        default -> z[i];
      };
    }
    return a;
  }

  /**
   * Mini-batch Adam over three epochs on every OpenCL device equals the reference bit for bit (weights: tolerance
   * 0; the loss, a reduction summed in another order, relative 1e-5).
   */
  @ParameterizedTest(name = "net {0}, {1}")
  @MethodSource("nets")
  void trainingOnEveryOpenClDeviceEqualsTheReferenceBitForBit(String which, Loss loss) {
    Network start = net(which, loss);
    DataSet data = data(start, 23, 5);
    Settings settings = new Settings(Optimizer.adam(0.01f), 5, new NumpyRandom(9));
    Network expected;
    float[] expectedLoss = new float[3];
    try (Trainer t = Trainers.reference(start, data, settings)) {
      for (int e = 0; e < 3; e++) {
        expectedLoss[e] = t.epoch(true).loss();
      }
      expected = t.network();
    }
    assertTrue(Network.maxAbsDifference(start, expected) > 0, "training moved the weights");
    for (Device device : Backends.others()) {
      try (Trainer t = Trainers.on(device, start, data, settings)) {
        for (int e = 0; e < 3; e++) {
          // the loss is a sum the device reduces as a tree and the reference in order: equal within 1e-5
          assertEquals(expectedLoss[e], t.epoch(true).loss(), Tolerances.LOSS_RTOL * Math.abs(expectedLoss[e]),
              device + ": epoch " + (e + 1) + " loss");
        }
        assertEquals(0f, Network.maxAbsDifference(expected, t.network()), device + ": weights after 3 epochs");
        assertEquals(expected, t.network(), device + ": the whole network, bit for bit");
      }
    }
  }

  /**
   * Frozen up to a dense layer whose batch norm is the first layer trained: the dense layer's weights stay to the
   * bit, the norm's γ and β and everything after it move, and the γ, β gradients are the unfrozen run's (the
   * backward pass goes through the norm and stops there): tolerance 0 against the same step without the freeze.
   */
  @Test
  void freezingTheDenseLayerBeforeABatchNormTrainsTheNormAndStopsThere() {
    Network start = netG(Loss.XENT, 12);
    DataSet data = data(start, 6, 4);
    int bn = 2; // conv, dense, bn, dropout, dense, bn, dense: freeze the conv and the first dense layer
    Network frozen;
    Network free;
    try (Trainer t = Trainers.reference(start, data, new Settings(Optimizer.sgd(0.5f), 0, new NumpyRandom(0), null,
        null, bn))) {
      t.epoch(false);
      frozen = t.network();
    }
    try (Trainer t = Trainers.reference(start, data, Settings.fullBatchSgd(0.5f))) {
      t.epoch(false);
      free = t.network();
    }
    for (int l = 0; l < start.layers().size(); l++) {
      Layer before = start.layers().get(l);
      if (before.parameterCount() == 0) {
        continue;
      }
      if (l < bn) {
        assertEquals(before, frozen.layers().get(l), "layer " + l + " is frozen");
      } else {
        assertEquals(free.layers().get(l).parameters().stream().map(java.util.Arrays::toString).toList(),
            frozen.layers().get(l).parameters().stream().map(java.util.Arrays::toString).toList(),
            "layer " + l + " (" + before.spec() + ") trained as without the freeze");
      }
    }
  }

  /**
   * A checkpointed state restored into a new trainer continues exactly: dropout masks depend on the step alone,
   * and a batch norm's running statistics come back with the network (net E).
   */
  @ParameterizedTest(name = "net {0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"B", "E", "G", "H", "J"})
  void restoredStateContinuesExactly(String which) {
    Network start = net(which, Loss.XENT);
    DataSet data = data(start, 17, 6);
    Settings settings = new Settings(Optimizer.adam(0.01f), 4, new NumpyRandom(2));
    Network straight;
    dev.cltrain.device.TrainerState middle;
    try (Trainer t = Trainers.reference(start, data, settings)) {
      t.epoch(false);
      middle = t.state();
      t.epoch(false);
      t.epoch(false);
      straight = t.network();
    }
    try (Trainer t = Trainers.reference(start, data, settings)) {
      t.restore(middle);
      t.epoch(false);
      t.epoch(false);
      assertEquals(straight, t.network(), "two epochs after a restore equal two epochs straight on");
    }
  }
}
