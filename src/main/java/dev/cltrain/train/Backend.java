package dev.cltrain.train;

/** The kernels plus the memory they work on: where buffers live and how numbers cross to the host. */
public interface Backend<B> extends Kernels<B>, AutoCloseable {
  /** A human name for summaries, e.g. "Java reference" or "cl:0:0 pthread-skylake (Portable Computing Language)". */
  String name();

  /** A buffer of {@code length} floats, contents undefined. */
  B allocate(int length);

  /** A buffer holding a copy of {@code data}. */
  B upload(float[] data);

  /** Copies the first {@code out.length} floats of {@code buffer} to {@code out}, after all work enqueued before. */
  void download(B buffer, float[] out);

  /** Hands enqueued work to the device without waiting for it. */
  void flush();

  @Override
  void close();
}
