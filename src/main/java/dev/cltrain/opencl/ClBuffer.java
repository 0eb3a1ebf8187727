package dev.cltrain.opencl;

import static org.jocl.CL.*;

import org.jocl.Pointer;
import org.jocl.cl_mem;

/**
 * A buffer of 4-byte elements (floats, or ints for row indices) in device memory. Reads and writes block, because JOCL allows non-blocking transfers only
 * on direct buffers; {@link #mapLater} does not wait. Released by {@link #close()} or, at the latest, by its {@link ClContext}.
 */
public final class ClBuffer implements AutoCloseable {
  private final ClContext context;
  private final cl_mem mem;
  private final int length;
  private boolean released;

  ClBuffer(ClContext context, cl_mem mem, int length) {
    this.context = context;
    this.mem = mem;
    this.length = length;
  }

  /**
   * The buffer's size.
   *
   * @return number of 4-byte elements
   */
  public int length() {
    return length;
  }

  cl_mem handle() {
    return mem;
  }

  /**
   * Copies {@code data} to the start of the buffer, waiting until done.
   *
   * @param data at most {@link #length()} floats
   * @throws IllegalArgumentException when {@code data} is longer than the buffer
   * @throws ClException when the transfer fails
   */
  public void write(float[] data) {
    check(data.length);
    if (data.length == 0) {
      return;
    }
    context.countTransfer(data.length * 4L, true);
    ClException.checkVoid("clEnqueueWriteBuffer(" + data.length + " floats)",
        () -> clEnqueueWriteBuffer(context.queue(), mem, CL_TRUE, 0, data.length * 4L, Pointer.to(data), 0, null, null));
  }

  /**
   * Copies {@code data} to the start of the buffer, waiting until done.
   *
   * @param data at most {@link #length()} ints
   * @throws IllegalArgumentException when {@code data} is longer than the buffer
   * @throws ClException when the transfer fails
   */
  public void write(int[] data) {
    check(data.length);
    if (data.length == 0) {
      return;
    }
    context.countTransfer(data.length * 4L, true);
    ClException.checkVoid("clEnqueueWriteBuffer(" + data.length + " ints)",
        () -> clEnqueueWriteBuffer(context.queue(), mem, CL_TRUE, 0, data.length * 4L, Pointer.to(data), 0, null, null));
  }

  /**
   * Copies the first {@code out.length} floats back to the host, after every command enqueued before.
   *
   * @param out receives the floats; at most {@link #length()} long
   * @throws IllegalArgumentException when {@code out} is longer than the buffer
   * @throws ClException when the transfer, or a command before it, fails
   */
  public void read(float[] out) {
    check(out.length);
    if (out.length == 0) {
      return;
    }
    context.countTransfer(out.length * 4L, false);
    ClException.checkVoid("clEnqueueReadBuffer(" + out.length + " floats)",
        () -> clEnqueueReadBuffer(context.queue(), mem, CL_TRUE, 0, out.length * 4L, Pointer.to(out), 0, null, null));
  }

  /**
   * Maps the buffer's first {@code count} floats for reading and writing, after every command enqueued before,
   * without waiting (non-blocking clEnqueueMapBuffer; handed to the device by the next flush). On a CPU device the
   * host then works on the device's own memory, no copy made. No command enqueued before {@link Mapping#unmap}
   * may use the buffer.
   *
   * @param count floats to map, at most {@link #length()}
   * @return the mapping
   * @throws ClException when the map cannot be enqueued
   */
  public Mapping mapLater(int count) {
    check(count);
    long bytes = Math.max(1, count) * 4L;
    org.jocl.cl_event event = new org.jocl.cl_event();
    java.nio.ByteBuffer mapped = ClException.check("clEnqueueMapBuffer(" + count + " floats)",
        () -> clEnqueueMapBuffer(context.queue(), mem, CL_FALSE, CL_MAP_READ | CL_MAP_WRITE, 0, bytes, 0, null,
            event, null));
    ClContext.Marker ready = context.awaiting(event);
    return new Mapping(mapped, count, ready);
  }

  /** A region of the buffer mapped into host memory ({@link #mapLater}). */
  public final class Mapping {
    private final java.nio.ByteBuffer mapped;
    private final int count;
    private final ClContext.Marker ready;
    private boolean unmapped;

    private Mapping(java.nio.ByteBuffer mapped, int count, ClContext.Marker ready) {
      this.mapped = mapped;
      this.count = count;
      this.ready = ready;
    }

    /**
     * Waits until the map has happened.
     *
     * @return the {@code count} floats, to read and overwrite until {@link #unmap}
     */
    public java.nio.FloatBuffer await() {
      ready.await();
      if (floats == null) {
        floats = mapped.order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer().limit(count);
      }
      return floats;
    }

    private java.nio.FloatBuffer floats;

    /** Enqueues the unmap, without waiting (once; the floats of {@link #await} must not be used after it). */
    public void unmap() {
      if (unmapped) {
        return;
      }
      unmapped = true;
      ready.await();
      ClException.checkVoid("clEnqueueUnmapMemObject", () -> clEnqueueUnmapMemObject(context.queue(), mem,
          mapped, 0, null, null));
    }
  }

  private void check(int count) {
    if (count > length) {
      throw new IllegalArgumentException(count + " floats do not fit a buffer of " + length);
    }
  }

  synchronized void releaseNow() {
    if (!released) {
      released = true;
      clReleaseMemObject(mem);
    }
  }

  /** Releases the device memory now instead of when the context closes. */
  @Override
  public void close() {
    ClException.checkVoid("clReleaseMemObject", this::releaseNow);
  }
}
