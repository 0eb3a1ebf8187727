package dev.cltrain.backend;

import dev.cltrain.core.KernelTime;

/**
 * The kernels plus the memory they work on: where buffers live and how numbers cross to the host.
 *
 * @param <B> a float buffer: {@code float[]} on the reference, a device buffer on OpenCL
 * @param <I> an int buffer (row indices): {@code int[]} on the reference, a device buffer on OpenCL
 */
public interface Backend<B, I> extends Kernels<B, I>, AutoCloseable {
  /**
   * A human name for summaries.
   *
   * @return e.g. "Java reference" or "cl:0:0 pthread-skylake (Portable Computing Language)"
   */
  String name();

  /**
   * A float buffer of {@code length} elements, contents undefined.
   *
   * @param length number of floats
   * @return the new buffer, owned by this backend until it closes
   */
  B allocate(int length);

  /**
   * A float buffer holding a copy of {@code data}.
   *
   * @param data the floats to copy; later changes to the array do not reach the buffer
   * @return a buffer of {@code data.length} floats
   */
  B upload(float[] data);

  /**
   * Copies the first {@code out.length} floats of {@code buffer} to {@code out}, after all work enqueued before.
   *
   * @param buffer a buffer of this backend holding at least {@code out.length} floats
   * @param out receives the floats; its length is how many are copied
   */
  void download(B buffer, float[] out);

  /**
   * An int buffer holding a copy of {@code data}.
   *
   * @param data the ints to copy, e.g. an epoch's shuffled row order
   * @return a buffer of {@code data.length} ints
   */
  I uploadIndices(int[] data);

  /**
   * Overwrites the start of a float buffer with {@code data} (in order with the work enqueued before).
   *
   * @param buffer a buffer of this backend holding at least {@code data.length} floats
   * @param data the floats written to elements {@code 0 .. data.length)}; the rest stay as they were
   */
  void write(B buffer, float[] data);

  /**
   * Overwrites the start of an int buffer with {@code data} (in order with the work enqueued before).
   *
   * @param buffer an int buffer of this backend holding at least {@code data.length} ints
   * @param data the ints written to elements {@code 0 .. data.length)}; the rest stay as they were
   */
  void writeIndices(I buffer, int[] data);

  /**
   * How large a network {@link #trainSmall} can train: the floats its one work-group keeps (data, parameters,
   * optimizer state, activations and two deltas, as small_net.cl lays them out).
   *
   * @return floats; 0 when train_small cannot run here
   */
  default int smallNetFloats() {
    return 0;
  }

  /**
   * Up to how many multiply-adds per epoch {@link #trainSmall} is the faster way here: beyond, the layer
   * kernels (many work-groups; on the reference, its vectorised matrix loops) win.
   *
   * @return multiply-adds of an epoch's matrix products; 0 when train_small cannot run here
   */
  default long smallNetWork() {
    return 0;
  }

  /**
   * Time per kernel since the last call, when the backend was made for profiling; otherwise empty.
   *
   * @return one entry per kernel launched since the last call, in the order first launched
   */
  default java.util.List<KernelTime> takeProfile() {
    return java.util.List.of();
  }

  /**
   * Bytes copied between host and device since the backend was made (0 on the reference).
   *
   * @return {host → device, device → host}, in bytes
   */
  default long[] transferredBytes() {
    return new long[2];
  }

  /** Hands enqueued work to the device without waiting for it. */
  void flush();

  /**
   * Hands the work enqueued so far to the device and marks it, so that a caller can keep the device busy with
   * the next work while it waits for this: running the returned wait blocks until the marked work has finished,
   * not the work enqueued after the mark (run it once; it releases the mark).
   *
   * @return the wait; on a backend that finishes each kernel as it is called, one that returns at once
   */
  default Runnable mark() {
    flush();
    return () -> {};
  }

  /**
   * Maps the first {@code count} floats of {@code buffer} into host memory for the host to read and overwrite,
   * after all work enqueued before, returning without waiting where the backend can (handed to the device by the
   * next {@link #flush}). No work enqueued after this may use the buffer before {@link Mapped#release}. Here: a
   * {@link #download} at once into a host array, written back by the release.
   *
   * @param buffer a buffer of this backend holding at least {@code count} floats
   * @param count the floats mapped
   * @return the mapping
   */
  default Mapped map(B buffer, int count) {
    float[] floats = new float[count];
    download(buffer, floats);
    java.nio.FloatBuffer view = java.nio.FloatBuffer.wrap(floats);
    return new Mapped() {
      @Override
      public java.nio.FloatBuffer await() {
        return view;
      }

      @Override
      public void release() {
        write(buffer, floats);
      }
    };
  }

  /** A buffer's floats mapped into host memory ({@link #map}). */
  interface Mapped {
    /**
     * Waits until the floats are in host memory (at once after the first call).
     *
     * @return the floats, to read and overwrite, until {@link #release}
     */
    java.nio.FloatBuffer await();

    /**
     * Gives the floats back to the device (unmapped, in order with the work enqueued before and after; without
     * waiting where the backend can); the view of {@link #await} must not be used after this. Call it once, after
     * {@link #await}.
     */
    void release();
  }

  @Override
  void close();
}
