package dev.cltrain.train;

import dev.cltrain.core.Notices;
import dev.cltrain.device.Trainer;
import dev.cltrain.backend.AdamConstants;
import dev.cltrain.backend.Backend;
import dev.cltrain.backend.Kernels;
import dev.cltrain.backend.Range;
import dev.cltrain.nn.Optimizer;
import dev.cltrain.opencl.JvmSignals;
import dev.cltrain.opencl.OpenClKernels;
import dev.cltrain.reference.ReferenceKernels;
import dev.cltrain.core.DeviceException;
import dev.cltrain.data.DataSet;
import dev.cltrain.data.Generated;
import dev.cltrain.nn.Activation;
import dev.cltrain.nn.Init;
import dev.cltrain.nn.Loss;
import dev.cltrain.nn.Network;
import dev.cltrain.nn.NumpyRandom;
import dev.cltrain.device.Device;
import dev.cltrain.device.Verification;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The cases of {@link DeviceCheck}: each kernel run on a backend with seeded inputs at one shape, its output
 * read back, so that the device's and the reference's outputs can be compared. The judging, the tolerances and
 * the report are DeviceCheck's.
 */
final class KernelCases {
  private KernelCases() {}

  /**
   * What a case draws its inputs from: the seeded generator, and whether {@link #uniform} and {@link #scaled} draw
   * magnitudes (|value|, {@link #productMagnitudes}) rather than signed values.
   *
   * @param random the case's generator, seeded
   * @param magnitudes true: every value uniform and scaled draw is made nonnegative, the generator used the same
   */
  record Draws(Random random, boolean magnitudes) {}

  /** Runs one kernel on {@code k} with seeded inputs for shape s = (rows, cols, depth) and returns its output. */
  static <B, I> float[] exec(String kernel, Backend<B, I> k, int[] s, int activation, long seed) {
    return exec(kernel, k, s, activation, new Draws(new Random(seed), false));
  }

  /** {@link #exec}'s case, its inputs drawn from {@code draws}. */
  private static <B, I> float[] exec(String kernel, Backend<B, I> k, int[] s, int activation, Draws draws) {
    int rows = s[0];
    int cols = s[1];
    int depth = s[2];
    Random random = draws.random();
    if (SEQUENCE_KERNELS.contains(kernel)) {
      return sequence1d(kernel, k, s, draws);
    }
    if (DeviceCheck.conv(kernel)) {
      return convolution(kernel, k, s, activation, draws);
    }
    if (NORM_KERNELS.contains(kernel)) {
      return normalization(kernel, k, s, activation, draws);
    }
    if (RECURRENT_KERNELS.contains(kernel)) {
      return recurrent(kernel, k, s, draws);
    }
    switch (kernel) {
      case "matmul", "matmul_transpose_a", "matmul_transpose_b" -> {
        B a = k.upload(uniform(draws, rows * depth));
        B b = k.upload(uniform(draws, depth * cols));
        B c = poisoned(k, rows * cols);
        switch (kernel) {
          case "matmul" -> k.matmul(rows, cols, depth, 0.5f, a, b, c);
          case "matmul_transpose_a" -> k.matmulTransposeA(rows, cols, depth, 0.5f, a, b, c);
          default -> k.matmulTransposeB(rows, cols, depth, 0.5f, a, b, c);
        }
        return read(k, c, rows * cols);
      }
      case "matmul_bias_activation" -> {
        B x = k.upload(uniform(draws, rows * depth));
        B w = k.upload(uniform(draws, depth * cols));
        B bias = k.upload(uniform(draws, cols));
        B a = poisoned(k, rows * cols);
        k.matmulBiasActivation(rows, cols, depth, activation, x, w, bias, a);
        return read(k, a, rows * cols);
      }
      case "matmul_transpose_b_delta" -> {
        B d = k.upload(uniform(draws, rows * depth));
        B w = k.upload(uniform(draws, cols * depth));
        B a = k.upload(uniform(draws, rows * cols));
        B dz = poisoned(k, rows * cols);
        k.matmulTransposeBDelta(rows, cols, depth, activation, d, w, a, dz);
        return read(k, dz, rows * cols);
      }
      case "bias_activation" -> {
        B z = k.upload(scaled(draws, rows * cols, 6));
        B bias = k.upload(uniform(draws, cols));
        B a = poisoned(k, rows * cols);
        k.biasActivation(rows, cols, activation, z, bias, a);
        return read(k, a, rows * cols);
      }
      case "activation_delta" -> {
        B a = k.upload(uniform(draws, rows * cols));
        B dz = k.upload(uniform(draws, rows * cols));
        k.activationDelta(rows * cols, activation, a, dz);
        return read(k, dz, rows * cols);
      }
      case "bias_softmax" -> {
        B z = k.upload(scaled(draws, rows * cols, 20));
        B bias = k.upload(uniform(draws, cols));
        B p = poisoned(k, rows * cols);
        k.biasSoftmax(rows, cols, z, bias, p);
        return read(k, p, rows * cols);
      }
      case "mse_delta", "xent_delta" -> {
        B a = k.upload(uniform(draws, rows * cols));
        B y = k.upload(uniform(draws, rows * cols));
        B dz = poisoned(k, rows * cols);
        if (kernel.equals("mse_delta")) {
          k.mseDelta(rows * cols, activation, a, y, dz);
        } else {
          k.xentDelta(rows * cols, a, y, dz);
        }
        return read(k, dz, rows * cols);
      }
      case "mse_loss", "xent_loss", "count_correct" -> {
        B a = k.upload(kernel.equals("mse_loss") ? uniform(draws, rows * cols) : probabilities(random, rows, cols));
        B y = k.upload(oneHot(random, rows, cols));
        B out = k.upload(new float[3]);
        switch (kernel) {
          case "mse_loss" -> k.mseLoss(rows * cols, 1, a, y, out);
          case "xent_loss" -> k.xentLoss(rows, cols, 2, a, y, out);
          default -> k.countCorrect(rows, cols, 0, a, y, out);
        }
        return read(k, out, 3);
      }
      case "column_sum" -> {
        B x = k.upload(uniform(draws, rows * cols));
        B sums = poisoned(k, cols);
        k.columnSum(rows, cols, 0.25f, x, sums);
        return read(k, sums, cols);
      }
      case "sgd_update", "momentum_update", "adam_update", "adamw_update" -> {
        int count = rows * cols;
        float[][] in = optimizerInputs(draws, count);
        B dw = k.upload(in[0]);
        B w = k.upload(in[1]);
        B m = k.upload(in[2]);
        B v = k.upload(in[3]);
        // half the shapes without weight decay, so a tiny gradient stays tiny and a moment near FLT_MIN flushes
        float decay = rows % 2 == 0 ? 0.01f : 0f;
        switch (kernel) {
          case "sgd_update" -> k.sgdUpdate(count, 0.1f, decay, dw, w);
          case "momentum_update" -> k.momentumUpdate(count, 0.1f, 0.9f, decay, dw, m, w);
          case "adamw_update" -> k.adamwUpdate(count, 0.01f, AdamConstants.DEFAULT, decay, 0.271f, 0.00299f, dw, m, v, w);
          default -> k.adamUpdate(count, 0.01f, AdamConstants.DEFAULT, decay, 0.271f, 0.00299f, dw, m, v, w);
        }
        float[] out = new float[3 * count];
        System.arraycopy(read(k, w, count), 0, out, 0, count);
        System.arraycopy(read(k, m, count), 0, out, count, count);
        System.arraycopy(read(k, v, count), 0, out, 2 * count, count);
        return out;
      }
      case "sgd_update_layers", "momentum_update_layers", "adam_update_layers", "adamw_update_layers" -> {
        // 1 to 8 slots by shape (8 at 3x5x7, 1 at 33x31x16 and 300x1x3): slot 0 the shape's rows x cols, slot 2
        // empty, the others cols + s or depth + s elements
        int slots = 1 + (rows + cols + depth) % Kernels.SEGMENTS;
        int[] count = new int[slots];
        float[] decay = new float[slots];
        List<B> dw = new ArrayList<>();
        List<B> w = new ArrayList<>();
        List<B> m = new ArrayList<>();
        List<B> v = new ArrayList<>();
        int total = 0;
        for (int j = 0; j < slots; j++) {
          count[j] = j == 0 ? rows * cols : j == 2 ? 0 : (j % 2 == 1 ? cols : depth) + j;
          decay[j] = rows % 2 == 0 && j % 2 == 0 ? 0.01f : 0f;
          float[][] in = optimizerInputs(draws, count[j]);
          dw.add(k.upload(in[0]));
          w.add(k.upload(in[1]));
          m.add(k.upload(in[2]));
          v.add(k.upload(in[3]));
          total += count[j];
        }
        switch (kernel) {
          case "sgd_update_layers" -> k.sgdUpdateLayers(count, 0.1f, decay, dw, w);
          case "momentum_update_layers" -> k.momentumUpdateLayers(count, 0.1f, 0.9f, decay, dw, m, w);
          case "adamw_update_layers" -> k.adamwUpdateLayers(count, 0.01f, AdamConstants.DEFAULT, decay, 0.271f, 0.00299f, dw,
              m, v, w);
          default -> k.adamUpdateLayers(count, 0.01f, AdamConstants.DEFAULT, decay, 0.271f, 0.00299f, dw, m, v, w);
        }
        float[] out = new float[3 * total];
        int at = 0;
        for (List<B> group : List.of(w, m, v)) {
          for (int j = 0; j < slots; j++) {
            System.arraycopy(read(k, group.get(j), count[j]), 0, out, at, count[j]);
            at += count[j];
          }
        }
        return out;
      }
      case "gather_rows" -> {
        int sourceRows = rows + depth;
        B source = k.upload(uniform(draws, sourceRows * cols));
        int[] order = new int[sourceRows];
        for (int i = 0; i < sourceRows; i++) {
          order[i] = random.nextInt(sourceRows);
        }
        I indices = k.uploadIndices(order);
        B target = poisoned(k, rows * cols);
        k.gatherRows(rows, cols, depth % sourceRows == 0 ? 0 : Math.min(depth, sourceRows - rows), indices, source, target);
        return read(k, target, rows * cols);
      }
      case "square_sums", "clip_factor", "scale_by" -> {
        return clipping(kernel, k, s, draws);
      }
      case "residual_add", "residual_delta" -> {
        return residual(kernel, k, s, activation, draws);
      }
      case "train_small" -> {
        return trainSmall(k, s, activation, draws);
      }
      default -> throw new IllegalArgumentException("no check for kernel " + kernel);
    }
  }

  /**
   * Three epochs of train_small with statistics, on a net derived from shape s = (rows, cols, depth): up to 40
   * rows, depth (up to 9) inputs, a hidden layer of cols (up to 7) with the activation, 3 outputs; softmax and
   * cross-entropy for odd rows, else MSE with the activation at the output too; the optimizer by (rows + cols)
   * mod 3 (sgd, momentum, adam), with weight decay. Returns the parameters, the optimizer state and the correct
   * count, not the loss: a reduction (checked as mse_loss and xent_loss are), the rest the reference's bits.
   */
  private static <B, I> float[] trainSmall(Backend<B, I> k, int[] s, int activation, Draws draws) {
    Random random = draws.random();
    int rows = Math.min(s[0], 40);
    int[] widths = {Math.min(s[2], 9), Math.min(s[1], 7), 3};
    boolean xent = rows % 2 == 1;
    Optimizer.Kind rule = Optimizer.kinds().get((s[0] + s[1]) % Optimizer.kinds().size());
    Optimizer defaults = rule.build(Optimizer.Options.NONE);
    int states = defaults.stateBuffers();
    int parameters = widths[0] * widths[1] + widths[1] + widths[1] * widths[2] + widths[2];
    int[] shape = {widths[0], widths[1], widths[2], activation, xent ? Activation.SOFTMAX.code : activation};
    float[] state = new float[states * parameters];
    System.arraycopy(spread(random, parameters, 6, true), 0, state, 0, Math.min(state.length, parameters));
    if (states == 2) {
      System.arraycopy(spread(random, parameters, 12, false), 0, state, parameters, parameters);
    }
    float[] corrections = new float[6];
    for (int e = 0; e < 3; e++) {
      corrections[2 * e] = AdamConstants.DEFAULT.correction1(e + 4);
      corrections[2 * e + 1] = AdamConstants.DEFAULT.correction2(e + 4);
    }
    B x = k.upload(uniform(draws, rows * widths[0]));
    B y = k.upload(xent ? oneHot(random, rows, 3) : scaled(draws, rows * 3, 0.5f));
    B params = k.upload(scaled(draws, parameters, 0.7f));
    B stateBuffer = k.upload(state.length == 0 ? new float[1] : state);
    B loss = k.upload(new float[1]);
    B correct = poisoned(k, 1);
    // the rule with its defaults: μ 0.9 and Adam's usual constants
    k.trainSmall(2, rows, 3, xent ? 1 : 0, 1, 1.0f / rows, 0.05f, 0.01f, defaults.smallNet(), k.uploadIndices(shape),
        k.upload(corrections), x, y, params, stateBuffer, loss, correct);
    float[] out = new float[parameters + state.length + 1];
    System.arraycopy(read(k, params, parameters), 0, out, 0, parameters);
    System.arraycopy(read(k, stateBuffer, state.length), 0, out, parameters, state.length);
    out[out.length - 1] = read(k, correct, 1)[0];
    return out;
  }

  /**
   * One of conv.cl's kernels at case s = (rows, height, width, channels, kernel, stride, same) of
   * {@link DeviceCheck#CONV_SHAPES}, padding as a Conv stage pads (same: ⌈H/s⌉ outputs, the extra zero row at the bottom).
   * max_pool's inputs come from five levels for odd rows (ties in most windows, the gradient to the first
   * maximum). Dropout runs at rate 0, 0.5 or 0.9 by (rows + height) mod 3, with a step whose high word is the
   * height (not 0), in place (x = y) for odd rows.
   */
  private static <B, I> float[] convolution(String kernel, Backend<B, I> k, int[] s, int activation, Draws draws) {
    Random random = draws.random();
    int rows = s[0];
    int height = s[1];
    int width = s[2];
    int channels = s[3];
    int size = s[4];
    int stride = s[5];
    boolean same = s[6] != 0;
    int inputs = rows * height * width * channels;
    int outHeight = same ? (height + stride - 1) / stride : (height - size) / stride + 1;
    int outWidth = same ? (width + stride - 1) / stride : (width - size) / stride + 1;
    int padTop = same ? Math.max((outHeight - 1) * stride + size - height, 0) / 2 : 0;
    int padLeft = same ? Math.max((outWidth - 1) * stride + size - width, 0) / 2 : 0;
    int columns = rows * outHeight * outWidth * size * size * channels;
    int pooled = rows * (height / size) * (width / size) * channels;
    if (kernel.startsWith("conv_direct")) {
      return convDirect(kernel, k, new int[] {rows, height, width, channels, size, stride, outHeight, outWidth, padTop,
          padLeft}, activation, draws);
    }
    switch (kernel) {
      case "im2col" -> {
        B x = k.upload(uniform(draws, inputs));
        B col = poisoned(k, columns);
        k.im2col(rows, height, width, channels, size, stride, padTop, padLeft, outHeight, outWidth, x, col);
        return read(k, col, columns);
      }
      case "col2im" -> {
        B col = k.upload(uniform(draws, columns));
        B dx = poisoned(k, inputs);
        k.col2im(rows, height, width, channels, size, stride, padTop, padLeft, outHeight, outWidth, col, dx);
        return read(k, dx, inputs);
      }
      case "conv_weight_gradient" -> {
        // a layer's dW at the case: patches (pixels × k·k·channels) transposed times the gradient (pixels × filters)
        int patch = size * size * channels;
        int pixels = rows * outHeight * outWidth;
        int filters = convFilters(channels);
        B col = k.upload(uniform(draws, pixels * patch));
        B g = k.upload(uniform(draws, pixels * filters));
        B dw = poisoned(k, patch * filters);
        k.convWeightGradient(patch, filters, pixels, 0.25f, col, g, dw);
        return read(k, dw, patch * filters);
      }
      case "conv_filter_rows" -> {
        int filters = convFilters(channels);
        int padded = Range.paddedChannels(channels);
        int count = filters * size * size * padded;
        B w = k.upload(uniform(draws, size * size * channels * filters));
        B wt = poisoned(k, count);
        k.convFilterRows(filters, size * size, channels, padded, w, wt);
        return read(k, wt, count);
      }
      case "conv_input_gradient" -> {
        int filters = convFilters(channels);
        int padded = Range.paddedChannels(channels);
        B g = k.upload(uniform(draws, rows * outHeight * outWidth * filters));
        B wt = k.allocate(filters * size * size * padded);
        k.convFilterRows(filters, size * size, channels, padded, k.upload(uniform(draws, size * size * channels
            * filters)), wt);
        B dx = poisoned(k, inputs);
        k.convInputGradient(rows, height, width, channels, size, stride, padTop, padLeft, outHeight, outWidth, filters,
            padded, g, wt, dx);
        return read(k, dx, inputs);
      }
      case "max_pool", "max_pool_backward" -> {
        float[] values = uniform(draws, inputs);
        if (rows % 2 == 1) {
          for (int i = 0; i < inputs; i++) {
            values[i] = (random.nextInt(5) - 2) * 0.5f;
          }
        }
        B x = k.upload(values);
        if (kernel.equals("max_pool")) {
          B y = poisoned(k, pooled);
          k.maxPool(rows, height, width, channels, size, x, y);
          return read(k, y, pooled);
        }
        B dy = k.upload(uniform(draws, pooled));
        B dx = poisoned(k, inputs);
        k.maxPoolBackward(rows, height, width, channels, size, x, dy, dx);
        return read(k, dx, inputs);
      }
      case "avg_pool" -> {
        B x = k.upload(uniform(draws, inputs));
        B y = poisoned(k, pooled);
        k.avgPool(rows, height, width, channels, size, x, y);
        return read(k, y, pooled);
      }
      case "avg_pool_backward" -> {
        B dy = k.upload(uniform(draws, pooled));
        B dx = poisoned(k, inputs);
        k.avgPoolBackward(rows, height, width, channels, size, dy, dx);
        return read(k, dx, inputs);
      }
      case "gather_augment", "augment_rows" -> {
        return gatherAugment(kernel, k, s, draws);
      }
      default -> {
        float rate = new float[] {0f, 0.5f, 0.9f}[(rows + height) % 3];
        int threshold = (int) Math.round(rate * (double) (1 << 24));
        float scale = 1.0f / (1.0f - rate);
        B x = k.upload(uniform(draws, inputs));
        B y = rows % 2 == 1 ? x : poisoned(k, inputs);
        k.dropout(inputs, threshold, scale, random.nextInt(), random.nextInt(), width * 7919, height, channels, x, y);
        return read(k, y, inputs);
      }
    }
  }

  /**
   * An output buffer filled with NaN before the kernel runs, so that an element the kernel fails to write shows
   * as a difference instead of passing on whatever the memory held (a freed buffer of an earlier, correct run
   * of the same case can hold exactly the expected values).
   */
  private static <B, I> B poisoned(Backend<B, I> k, int length) {
    float[] nan = new float[length];
    java.util.Arrays.fill(nan, Float.NaN);
    return k.upload(nan);
  }

  private static <B, I> float[] read(Backend<B, I> k, B buffer, int length) {
    float[] out = new float[length];
    k.download(buffer, out);
    return out;
  }

  /**
   * dw, w, m and v of an optimizer check: gradients and moments from 1 down to 1e-12 (and exact zeros), so
   * that ε and every term count, and one element in seven with a zero gradient and moments just above FLT_MIN,
   * whose decayed values are subnormal and must be flushed to +0 on both sides.
   */
  private static float[][] optimizerInputs(Draws draws, int count) {
    Random random = draws.random();
    float[] dw = spread(random, count, 12, true);
    float[] w = uniform(draws, count);
    float[] m = spread(random, count, 12, true);
    float[] v = spread(random, count, 24, false);
    for (int i = 3; i < count; i += 7) {
      dw[i] = 0;
      m[i] = (random.nextBoolean() ? -1.5f : 1.5f) * Float.MIN_NORMAL;
      v[i] = Float.MIN_NORMAL;
    }
    return new float[][] {dw, w, m, v};
  }

  static float[] uniform(Draws draws, int n) {
    return scaled(draws, n, 1);
  }

  private static float[] scaled(Draws draws, int n, float scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = scale * (draws.random().nextFloat() * 2 - 1);
      v[i] = draws.magnitudes() ? Math.abs(v[i]) : v[i];
    }
    return v;
  }

  /** The kernels outside matmul.cl whose elements are sums of products (conv_backward.cl, conv_direct.cl). */
  static final java.util.Set<String> PRODUCT_SUMS = java.util.Set.of("conv_weight_gradient", "conv_input_gradient",
      "conv_direct", "conv_direct_max_pool");

  /**
   * Σ |products| per element of a {@link #PRODUCT_SUMS} kernel's case: the case run on the reference with the
   * magnitudes of the values it draws, the scale a device that multiplies and adds separately rounds at.
   */
  static float[] productMagnitudes(String kernel, int[] s, long seed) {
    // identity: the sums before any activation
    return exec(kernel, new ReferenceKernels(), s, 0, new Draws(new Random(seed), true));
  }

  /**
   * Values of magnitude 10^−u·[0, 1) with u uniform in [0, decades], one in sixteen exactly 0; signed or not.
   * Never subnormal (some devices flush those): the smallest nonzero magnitude is far above 1e-38.
   */
  private static float[] spread(Random r, int n, int decades, boolean signed) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      if (r.nextInt(16) == 0) {
        v[i] = 0;
        continue;
      }
      float magnitude = (float) ((0.5 + r.nextDouble() / 2) * Math.pow(10, -r.nextInt(decades + 1)));
      v[i] = signed && r.nextBoolean() ? -magnitude : magnitude;
    }
    return v;
  }

  private static float[] probabilities(Random r, int rows, int cols) {
    float[] p = new float[rows * cols];
    for (int i = 0; i < rows; i++) {
      float sum = 0;
      for (int j = 0; j < cols; j++) {
        p[i * cols + j] = r.nextFloat() + 0.01f;
        sum += p[i * cols + j];
      }
      for (int j = 0; j < cols; j++) {
        p[i * cols + j] /= sum;
      }
    }
    return p;
  }

  private static float[] oneHot(Random r, int rows, int cols) {
    float[] y = new float[rows * cols];
    for (int i = 0; i < rows; i++) {
      y[i * cols + r.nextInt(cols)] = 1;
    }
    return y;
  }

  /**
   * gather_augment at a conv case (rows, height, width, channels, kernel, stride, same): pad = kernel (as large
   * as the image in several cases), flip with an odd stride, rows drawn from a source of rows + 3 (each may
   * repeat), from offset 1, in an epoch drawn from the seed; augment_rows likewise on a source of the batch's
   * rows, their sample numbers drawn as gather_augment's rows are.
   */
  private static <B, I> float[] gatherAugment(String kernel, Backend<B, I> k, int[] s, Draws draws) {
    Random random = draws.random();
    int rows = s[0];
    int cols = s[1] * s[2] * s[3];
    boolean gather = kernel.equals("gather_augment");
    int sourceRows = rows + 3;
    B source = k.upload(uniform(draws, (gather ? sourceRows : rows) * cols));
    int[] order = new int[rows + 1];
    for (int i = 0; i < order.length; i++) {
      order[i] = random.nextInt(sourceRows);
    }
    I indices = k.uploadIndices(order);
    B target = poisoned(k, rows * cols);
    if (gather) {
      k.gatherAugment(rows, s[1], s[2], s[3], s[4], s[5] % 2, random.nextInt(), random.nextInt(),
          random.nextInt(1000), 1, indices, source, target);
    } else {
      k.augmentRows(rows, s[1], s[2], s[3], s[4], s[5] % 2, random.nextInt(), random.nextInt(),
          random.nextInt(1000), 1, indices, source, target);
    }
    return read(k, target, rows * cols);
  }

  /**
   * update.cl's clipping kernels at shape s = (rows, cols, depth): square_sums over rows × cols values into
   * partials from depth mod 3 on (the slots before left 0); clip_factor over rows partial sums with a bound
   * that clips for even rows and keeps 1 for odd; scale_by of rows × cols values by a factor drawn.
   */
  private static <B, I> float[] clipping(String kernel, Backend<B, I> k, int[] s, Draws draws) {
    Random random = draws.random();
    int count = s[0] * s[1];
    switch (kernel) {
      case "square_sums" -> {
        int first = s[2] % 3;
        int blocks = first + (count + Kernels.NORM_BLOCK - 1) / Kernels.NORM_BLOCK;
        B partials = k.upload(new float[blocks]);
        k.squareSums(count, first, k.upload(uniform(draws, count)), partials);
        return read(k, partials, blocks);
      }
      case "clip_factor" -> {
        B factor = poisoned(k, 1);
        float[] partials = uniform(draws, s[0]);
        for (int b = 0; b < partials.length; b++) {
          partials[b] = 3 * Math.abs(partials[b]);
        }
        k.clipFactor(s[0], s[0] % 2 == 0 ? 0.1f : 1e6f, k.upload(partials), factor);
        return read(k, factor, 1);
      }
      default -> {
        B x = k.upload(uniform(draws, count));
        k.scaleBy(count, k.upload(new float[] {random.nextFloat()}), x);
        return read(k, x, count);
      }
    }
  }

  /** batchnorm.cl's kernels, as the file has them. */
  private static final List<String> NORM_KERNELS = OpenClKernels.kernelNames("batchnorm.cl");

  /**
   * One of batchnorm.cl's kernels at shape s = (rows, cols, depth): the global pool over rows samples of cols
   * pixels and depth channels; batch normalization over count = rows·cols values of depth channels, with
   * variances in [0.05, 1.05) (ε 1e-5), momentum 0.1; the block kernels' partials read back whole, the statistics
   * kernel's outputs (the variance, then the running ones updated in place) as one array, the backward kernel's
   * as sums, dgamma, dbeta; the finishing kernels take partials of a block's magnitude.
   */
  private static <B, I> float[] normalization(String kernel, Backend<B, I> k, int[] s, int activation,
      Draws draws) {
    Random random = draws.random();
    int rows = s[0];
    int pixels = s[1];
    int channels = s[2];
    int count = rows * pixels;
    float epsilon = 1e-5f;
    switch (kernel) {
      case "global_avg_pool" -> {
        B x = k.upload(uniform(draws, count * channels));
        B y = poisoned(k, rows * channels);
        k.globalAvgPool(rows, pixels, channels, x, y);
        return read(k, y, rows * channels);
      }
      case "global_avg_pool_backward" -> {
        B dy = k.upload(uniform(draws, rows * channels));
        B dx = poisoned(k, count * channels);
        k.globalAvgPoolBackward(rows, pixels, channels, dy, dx);
        return read(k, dx, count * channels);
      }
      case "batch_norm_sums", "batch_norm_squares" -> {
        B x = k.upload(scaled(draws, count * channels, 3));
        B mean = k.upload(uniform(draws, channels));
        int blocks = Kernels.normBlocks(count) * channels;
        B partials = poisoned(k, blocks);
        if (kernel.equals("batch_norm_sums")) {
          k.batchNormSums(count, channels, x, partials);
        } else {
          k.batchNormSquares(count, channels, x, mean, partials);
        }
        return read(k, partials, blocks);
      }
      case "batch_norm_mean" -> {
        B partials = k.upload(scaled(draws, Kernels.normBlocks(count) * channels, Kernels.NORM_BLOCK));
        B mean = poisoned(k, channels);
        k.batchNormMean(count, channels, partials, mean);
        return read(k, mean, channels);
      }
      case "batch_norm_statistics" -> {
        float[] squares = positive(random, Kernels.normBlocks(count) * channels);
        for (int i = 0; i < squares.length; i++) {
          squares[i] *= Kernels.NORM_BLOCK;
        }
        B partials = k.upload(squares);
        B mean = k.upload(uniform(draws, channels));
        B variance = poisoned(k, channels);
        B runningMean = k.upload(uniform(draws, channels));
        B runningVariance = k.upload(positive(random, channels));
        k.batchNormStatistics(count, channels, 0.1f, partials, mean, variance, runningMean, runningVariance);
        return concat(k, List.of(variance, runningMean, runningVariance), channels, channels, channels);
      }
      case "batch_norm_backward" -> {
        B partials = k.upload(scaled(draws, 2 * Kernels.normBlocks(count) * channels, Kernels.NORM_BLOCK));
        B sums = poisoned(k, 2 * channels);
        B dgamma = poisoned(k, channels);
        B dbeta = poisoned(k, channels);
        k.batchNormBackward(count, channels, 1.0f / rows, partials, sums, dgamma, dbeta);
        return concat(k, List.of(sums, dgamma, dbeta), 2 * channels, channels, channels);
      }
      default -> {
        B x = k.upload(scaled(draws, count * channels, 3));
        B mean = k.upload(uniform(draws, channels));
        B variance = k.upload(positive(random, channels));
        B gamma = k.upload(scaled(draws, channels, 2));
        B beta = k.upload(uniform(draws, channels));
        B dy = k.upload(uniform(draws, count * channels));
        B sums = k.upload(scaled(draws, 2 * channels, count));
        switch (kernel) {
          case "batch_norm_forward" -> {
            B y = poisoned(k, count * channels);
            k.batchNormForward(count, channels, activation, epsilon, x, mean, variance, gamma, beta, y);
            return read(k, y, count * channels);
          }
          case "batch_norm_gradient_sums" -> {
            int blocks = 2 * Kernels.normBlocks(count) * channels;
            B partials = poisoned(k, blocks);
            k.batchNormGradientSums(count, channels, epsilon, x, mean, variance, dy, partials);
            return read(k, partials, blocks);
          }
          default -> {
            B dx = poisoned(k, count * channels);
            k.batchNormBackwardInput(count, channels, epsilon, x, mean, variance, gamma, dy, sums, dx);
            return read(k, dx, count * channels);
          }
        }
      }
    }
  }

  /** {@return the first lengths[i] values of each buffer, one buffer after the other} */
  private static <B, I> float[] concat(Backend<B, I> k, List<B> buffers, int... lengths) {
    float[] out = new float[java.util.Arrays.stream(lengths).sum()];
    int at = 0;
    for (int i = 0; i < lengths.length; i++) {
      System.arraycopy(read(k, buffers.get(i), lengths[i]), 0, out, at, lengths[i]);
      at += lengths[i];
    }
    return out;
  }

  /** n values in [0.05, 1.05): variances. */
  private static float[] positive(Random r, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = 0.05f + r.nextFloat();
    }
    return v;
  }

  /**
   * residual.cl's kernels at shape s = (rows, cols, depth) with the activation: residual_add of rows × cols
   * sums (a wide range, so relu and tanh see both sides); residual_delta of rows × cols gradients, returning the
   * gradient and its copy side by side.
   */
  private static <B, I> float[] residual(String kernel, Backend<B, I> k, int[] s, int activation, Draws draws) {
    int count = s[0] * s[1];
    if (kernel.equals("residual_add")) {
      B out = poisoned(k, count);
      k.residualAdd(count, activation, k.upload(scaled(draws, count, 6)), k.upload(scaled(draws, count, 6)), out);
      return read(k, out, count);
    }
    B g = k.upload(uniform(draws, count));
    B copy = poisoned(k, count);
    k.residualDelta(count, activation, k.upload(uniform(draws, count)), g, copy);
    float[] both = new float[2 * count];
    System.arraycopy(read(k, g, count), 0, both, 0, count);
    System.arraycopy(read(k, copy, count), 0, both, count, count);
    return both;
  }

  /** sequence1d.cl's kernels. */
  private static final List<String> SEQUENCE_KERNELS = OpenClKernels.kernelNames("sequence1d.cl");

  /**
   * One of sequence1d.cl's kernels at case s = (rows, height, width, channels, kernel, stride, same) of
   * {@link DeviceCheck#CONV_SHAPES}, read as rows samples of height·width steps of channels features, padded as
   * a Conv1d pads (same: ⌈T/s⌉ outputs, the extra zero step at the end).
   */
  private static <B, I> float[] sequence1d(String kernel, Backend<B, I> k, int[] s, Draws draws) {
    Random random = draws.random();
    int rows = s[0];
    int steps = s[1] * s[2];
    int features = s[3];
    int size = s[4];
    int stride = s[5];
    boolean same = s[6] != 0;
    int outSteps = same ? (steps + stride - 1) / stride : (steps - size) / stride + 1;
    int padLeft = same ? Math.max((outSteps - 1) * stride + size - steps, 0) / 2 : 0;
    int inputs = rows * steps * features;
    int columns = rows * outSteps * size * features;
    if (kernel.startsWith("max_pool1d")) { // five levels for odd rows: ties, the gradient to the first maximum
      int pooled = rows * (steps / size) * features;
      float[] values = uniform(draws, inputs);
      if (rows % 2 == 1) {
        for (int i = 0; i < inputs; i++) {
          values[i] = (random.nextInt(5) - 2) * 0.5f;
        }
      }
      B x = k.upload(values);
      if (kernel.equals("max_pool1d")) {
        B y = poisoned(k, pooled);
        k.maxPool1d(rows, steps, features, size, x, y);
        return read(k, y, pooled);
      }
      B dx = poisoned(k, inputs);
      k.maxPool1dBackward(rows, steps, features, size, x, k.upload(uniform(draws, pooled)), dx);
      return read(k, dx, inputs);
    }
    if (kernel.equals("im2col1d")) {
      B col = poisoned(k, columns);
      k.im2col1d(rows, steps, features, size, stride, padLeft, outSteps, k.upload(uniform(draws, inputs)), col);
      return read(k, col, columns);
    }
    B dx = poisoned(k, inputs);
    k.col2im1d(rows, steps, features, size, stride, padLeft, outSteps, k.upload(uniform(draws, columns)), dx);
    return read(k, dx, inputs);
  }

  /** recurrent.cl's kernels, checked at {@link #RECURRENT_SHAPES}. */
  static final List<String> RECURRENT_KERNELS = OpenClKernels.kernelNames("recurrent.cl");

  /**
   * recurrent.cl's cases: (rows, steps T, hidden H, features F, vocabulary V, sequence). Batch 1, T = 1 and H = 1;
   * odd H and prime F; V = 1 (padding only); Fashion-MNIST's 28 steps of 28 features; H past 64; each with lengths
   * drawn in [0, T] (0: a row all padding; T: none) and both outputs (the last step, every step).
   */
  static final int[][] RECURRENT_SHAPES = {{1, 1, 1, 1, 1, 0}, {1, 1, 3, 2, 5, 1}, {2, 3, 5, 7, 11, 0},
      {3, 5, 1, 13, 2, 1}, {4, 7, 9, 3, 7, 0}, {5, 2, 16, 17, 31, 1}, {2, 28, 33, 28, 1, 0}, {7, 4, 65, 5, 3, 1}};

  /**
   * One of recurrent.cl's kernels at a {@link #RECURRENT_SHAPES} case: a step kernel runs every step of the
   * sequence (forward from 0, backward from T − 1) as a layer does, and every buffer it writes is read back,
   * one after the other.
   */
  private static <B, I> float[] recurrent(String kernel, Backend<B, I> k, int[] s, Draws draws) {
    Random random = draws.random();
    int rows = s[0];
    int steps = s[1];
    int hidden = s[2];
    int vocabulary = s[4];
    int sequence = s[5];
    int positions = rows * steps;
    float[] lengths = new float[rows];
    for (int n = 0; n < rows; n++) {
      lengths[n] = random.nextInt(steps + 1);
    }
    float[] ids = new float[positions];
    for (int p = 0; p < positions; p++) {
      ids[p] = random.nextInt(vocabulary + 1) % vocabulary; // zeros (padding) inside rows too
    }
    int gates = kernel.startsWith("lstm") ? 4 : 3;
    int width = gates * hidden;
    int outLength = sequence != 0 ? positions * hidden : rows * hidden;
    B len = k.upload(lengths);
    B w = k.upload(uniform(draws, width * hidden));
    switch (kernel) {
      case "sequence_lengths" -> {
        B out = poisoned(k, rows);
        k.sequenceLengths(rows, steps, k.upload(ids), out);
        return read(k, out, rows);
      }
      case "embedding_forward", "embedding_backward" -> {
        int dims = s[3];
        float[] weights = uniform(draws, vocabulary * dims);
        java.util.Arrays.fill(weights, 0, dims, 0f);
        B out = poisoned(k, kernel.equals("embedding_forward") ? positions * dims : vocabulary * dims);
        if (kernel.equals("embedding_forward")) {
          k.embeddingForward(rows, steps, vocabulary, dims, k.upload(ids), k.upload(weights), out);
          return read(k, out, positions * dims);
        }
        k.embeddingBackward(positions, vocabulary, dims, 0.25f, k.upload(ids), k.upload(uniform(draws,
            positions * dims)), out);
        return read(k, out, vocabulary * dims);
      }
      case "lstm_step", "gru_step" -> {
        B g = k.upload(scaled(draws, positions * width, 2));
        B inputBias = k.upload(uniform(draws, width));
        B recurrentBias = k.upload(uniform(draws, width));
        B second = poisoned(k, positions * hidden);
        B states = poisoned(k, positions * hidden);
        B out = poisoned(k, outLength);
        B product = poisoned(k, rows * width); // read from step 1 on, after the product is written
        B state = poisoned(k, rows * hidden);
        for (int t = 0; t < steps; t++) { // as RecurrentOp.forward runs them
          if (t > 0) {
            k.matmulTransposeB(rows, width, hidden, 1.0f, state, w, product);
          }
          if (gates == 4) {
            k.lstmStep(rows, steps, hidden, t, sequence, inputBias, recurrentBias, len, product, g, second, states,
                state, out);
          } else {
            k.gruStep(rows, steps, hidden, t, sequence, inputBias, recurrentBias, len, product, g, second, states,
                state, out);
          }
        }
        return concat(read(k, g, positions * width), read(k, second, positions * hidden),
            read(k, states, positions * hidden), read(k, out, outLength), read(k, state, rows * hidden));
      }
      default -> { // the backward steps: gates as activations in (0, 1), g and n in (−1, 1)
        float[] activated = uniform(draws, positions * width);
        for (int i = 0; i < activated.length; i++) {
          boolean tanh = (i % width) / hidden == 2; // LSTM g, GRU n
          activated[i] = tanh ? activated[i] : 0.5f + 0.5f * activated[i];
        }
        B g = k.upload(activated);
        B dy = k.upload(uniform(draws, outLength));
        B second = k.upload(scaled(draws, positions * hidden, 2)); // cells, or GRU's news
        B carry = poisoned(k, rows * hidden);
        B stateGradient = poisoned(k, rows * hidden); // read below the last step, after the product is written
        B stepGradients = poisoned(k, rows * width);
        B dcell = gates == 4 ? poisoned(k, rows * hidden) : null;
        B states = gates == 4 ? null : k.upload(uniform(draws, positions * hidden));
        B hgates = gates == 4 ? null : poisoned(k, positions * width);
        for (int t = steps - 1; t >= 0; t--) { // as RecurrentOp.backward runs them
          if (gates == 4) {
            k.lstmStepBackward(rows, steps, hidden, t, sequence, len, second, dy, stateGradient, g, dcell, carry,
                stepGradients);
          } else {
            k.gruStepBackward(rows, steps, hidden, t, sequence, len, second, states, dy, stateGradient, g, hgates,
                carry, stepGradients);
          }
          if (t > 0) {
            k.matmul(rows, hidden, width, 1.0f, stepGradients, w, stateGradient);
          }
        }
        float[] common = concat(read(k, g, positions * width), read(k, carry, rows * hidden),
            read(k, stepGradients, rows * width));
        return gates == 4 ? concat(common, read(k, dcell, rows * hidden))
            : concat(common, read(k, hgates, positions * width));
      }
    }
  }

  private static float[] concat(float[]... parts) {
    int length = 0;
    for (float[] p : parts) {
      length += p.length;
    }
    float[] all = new float[length];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }

  /**
   * The filters of conv_backward.cl's cases for {@code channels} input channels: 2·channels + 3 (5 for one channel,
   * 37 for 17: one full and one partial strip of columns; none a multiple of a vector).
   */
  private static int convFilters(int channels) {
    return 2 * channels + 3;
  }

  /**
   * conv_direct.cl's kernels at a conv case's geometry g = (rows, height, width, channels, kernel, stride, outHeight,
   * outWidth, padTop, padLeft) (as {@link #convolution} pads) with rows + 2·channels − 2 filters (1, primes,
   * 15, 32, 48: below, at and past the kernel's chunks of filters), activation {@code activation} (−1, as the
   * simulator's cases give: relu, the CNN recipe's), inputs from five levels for odd rows (relu's zeros and ties
   * in the pooled windows), the patches stored for odd rows + height. Returns y, the pooled maxima (conv_direct_max_pool),
   * then col where stored.
   */
  private static <B, I> float[] convDirect(String kernel, Backend<B, I> k, int[] g, int activation, Draws draws) {
    Random random = draws.random();
    int rows = g[0];
    int height = g[1];
    int width = g[2];
    int channels = g[3];
    int size = g[4];
    int stride = g[5];
    int outHeight = g[6];
    int outWidth = g[7];
    int padTop = g[8];
    int padLeft = g[9];
    int filters = rows + 2 * channels - 2;
    int f = activation < 0 ? 3 : activation;
    float[] values = uniform(draws, rows * height * width * channels);
    if (rows % 2 == 1) {
      for (int i = 0; i < values.length; i++) {
        values[i] = (random.nextInt(5) - 2) * 0.5f;
      }
    }
    B x = k.upload(values);
    B w = k.upload(uniform(draws, size * size * channels * filters));
    B bias = k.upload(uniform(draws, filters));
    int outputs = rows * outHeight * outWidth * filters;
    int columns = rows * outHeight * outWidth * size * size * channels;
    int store = (rows + height) % 2; // patches stored or not (ConvDirectTest checks that col is then untouched)
    B y = poisoned(k, outputs);
    B col = poisoned(k, columns);
    int pooledCount = kernel.equals("conv_direct") ? 0 : rows * (outHeight / 2) * (outWidth / 2) * filters;
    B pooled = poisoned(k, pooledCount);
    if (kernel.equals("conv_direct")) {
      k.convDirect(rows, height, width, channels, size, stride, padTop, padLeft, outHeight, outWidth, filters, f, store,
          x, w, bias, y, col);
    } else {
      k.convDirectMaxPool(rows, height, width, channels, size, stride, padTop, padLeft, outHeight, outWidth, filters,
          f, store, x, w, bias, y, pooled, col);
    }
    int stored = store * columns; // col is compared only where written (its NaN poison would fail a tolerance)
    float[] out = java.util.Arrays.copyOf(read(k, y, outputs), outputs + pooledCount + stored);
    System.arraycopy(read(k, pooled, pooledCount), 0, out, outputs, pooledCount);
    System.arraycopy(read(k, col, columns), 0, out, outputs + pooledCount, stored);
    return out;
  }
}
