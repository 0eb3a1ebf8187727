package dev.cltrain.backend;

import dev.cltrain.KernelTime;

/** The kernels plus the memory they work on: where buffers live and how numbers cross to the host. */
public interface Backend<B, I> extends Kernels<B, I>, AutoCloseable {
  /** A human name for summaries, e.g. "Java reference" or "cl:0:0 pthread-skylake (Portable Computing Language)". */
  String name();

  /** A float buffer of {@code length} elements, contents undefined. */
  B allocate(int length);

  /** A float buffer holding a copy of {@code data}. */
  B upload(float[] data);

  /** Copies the first {@code out.length} floats of {@code buffer} to {@code out}, after all work enqueued before. */
  void download(B buffer, float[] out);

  /** An int buffer holding a copy of {@code data}. */
  I uploadIndices(int[] data);

  /** Overwrites the start of a float buffer with {@code data} (in order with the work enqueued before). */
  void write(B buffer, float[] data);

  /** Overwrites the start of an int buffer with {@code data} (in order with the work enqueued before). */
  void writeIndices(I buffer, int[] data);

  /** Time per kernel since the last call, when the backend was made for profiling; otherwise empty. */
  default java.util.List<KernelTime> takeProfile() {
    return java.util.List.of();
  }

  /** Bytes copied {host → device, device → host} since the backend was made (0 on the reference). */
  default long[] transferredBytes() {
    return new long[2];
  }

  /** Hands enqueued work to the device without waiting for it. */
  void flush();

  @Override
  void close();
}
