package dev.cltrain.opencl;

import dev.cltrain.backend.AdamConstants;
import dev.cltrain.backend.Kernels;
import dev.cltrain.backend.Segments;
import java.util.ArrayList;
import java.util.List;

/**
 * The launches of update.cl's {@code *_layers} kernels: up to {@link Kernels#SEGMENTS} parameter arrays in one
 * launch, each group of arguments expanded to its eight slots, and Σ ⌈count / UPDATE_CHUNK⌉ work-items.
 */
final class SegmentLaunches {
  private final KernelTable table;
  /** update.cl's UPDATE_CHUNK, as the program was built. */
  private final int updateChunk;

  SegmentLaunches(KernelTable table, int updateChunk) {
    this.table = table;
    this.updateChunk = updateChunk;
  }

  /** sgd_update_layers: see {@link Kernels#sgdUpdateLayers}. */
  void sgd(int[] count, float learningRate, float[] weightDecay, List<ClBuffer> dw,
      List<ClBuffer> w) {
    Segments.total(count, weightDecay, dw, w);
    List<Object> args = new ArrayList<>();
    slots(args, count);
    args.add(learningRate);
    slots(args, weightDecay);
    slots(args, dw, w);
    table.kernel("sgd_update_layers").args(args.toArray()).launchGuarded(chunkItems(count));
  }

  /** momentum_update_layers: see {@link Kernels#momentumUpdateLayers}. */
  void momentum(int[] count, float learningRate, float momentum, float[] weightDecay,
      List<ClBuffer> dw, List<ClBuffer> velocity, List<ClBuffer> w) {
    Segments.total(count, weightDecay, dw, velocity, w);
    List<Object> args = new ArrayList<>();
    slots(args, count);
    args.add(learningRate);
    args.add(momentum);
    slots(args, weightDecay);
    slots(args, dw, velocity, w);
    table.kernel("momentum_update_layers").args(args.toArray()).launchGuarded(chunkItems(count));
  }

  /** adam_update_layers or adamw_update_layers ({@code kernel}), which take the same arguments. */
  void adam(String kernel, int[] count, float learningRate, AdamConstants adam, float[] weightDecay,
      float correction1, float correction2, List<ClBuffer> dw, List<ClBuffer> m, List<ClBuffer> v,
      List<ClBuffer> w) {
    Segments.total(count, weightDecay, dw, m, v, w);
    List<Object> args = new ArrayList<>();
    slots(args, count);
    args.addAll(List.of(learningRate, adam.beta1(), adam.beta2(), adam.epsilon()));
    slots(args, weightDecay);
    args.add(correction1);
    args.add(correction2);
    slots(args, dw, m, v, w);
    table.kernel(kernel).args(args.toArray()).launchGuarded(chunkItems(count));
  }

  /** The range of a *_layers launch: update.cl's Σ ITEMS(s), each slot's count over {@link #updateChunk}, rounded up. */
  private long chunkItems(int[] count) {
    long items = 0;
    for (int c : count) {
      items += (c + (long) updateChunk - 1) / updateChunk;
    }
    return items;
  }

  /** count0 … count7: the counts given, then 0 for the unused slots. */
  private static void slots(List<Object> args, int[] count) {
    for (int s = 0; s < Kernels.SEGMENTS; s++) {
      args.add(s < count.length ? count[s] : 0);
    }
  }

  /** weight_decay0 … weight_decay7: the factors given, then 0 for the unused slots. */
  private static void slots(List<Object> args, float[] weightDecay) {
    for (int s = 0; s < Kernels.SEGMENTS; s++) {
      args.add(s < weightDecay.length ? weightDecay[s] : 0.0f);
    }
  }

  /** Each group's eight buffer arguments: the buffers given, then slot 0's for the unused (count 0) slots. */
  @SafeVarargs
  private static void slots(List<Object> args, List<ClBuffer>... groups) {
    for (List<ClBuffer> group : groups) {
      for (int s = 0; s < Kernels.SEGMENTS; s++) {
        args.add(group.get(s < group.size() ? s : 0));
      }
    }
  }
}
