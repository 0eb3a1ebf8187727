package dev.cltrain.train;

import static dev.cltrain.train.KernelCases.noCase;
import static dev.cltrain.train.KernelCases.poisoned;
import static dev.cltrain.train.KernelCases.read;
import static dev.cltrain.train.KernelCases.spread;
import static dev.cltrain.train.KernelCases.uniform;

import dev.cltrain.backend.AdamConstants;
import dev.cltrain.backend.Backend;
import dev.cltrain.backend.Kernels;
import dev.cltrain.train.KernelCases.Draws;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The cases of {@link KernelCases} (verify's and the first-use check's) for update.cl's kernels, the column sums,
 * the optimizers' steps and gradient clipping: each kernel run on a backend with inputs drawn from {@link Draws},
 * its outputs read back. A kernel added to update.cl gets its case here.
 */
final class UpdateCases {
  private UpdateCases() {}

  /**
   * One of update.cl's kernels at shape s = (rows, cols, depth): the column sums of rows × cols values; an
   * optimizer's step on rows × cols parameters; the {@code *_layers} steps on 1 to {@link Kernels#SEGMENTS} slots;
   * the clipping kernels ({@link #clipping}).
   */
  static <B, I> float[] run(String kernel, Backend<B, I> k, int[] s, int activation, Draws draws) {
    int rows = s[0];
    int cols = s[1];
    int depth = s[2];
    switch (kernel) {
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
      case "square_sums", "clip_factor", "scale_by" -> {
        return clipping(kernel, k, s, draws);
      }
      default -> throw noCase(kernel);
    }
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
}
