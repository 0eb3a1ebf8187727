package dev.cltrain.opencl;

import static org.jocl.CL.*;

import org.jocl.Pointer;
import org.jocl.cl_mem;

/**
 * A buffer of 4-byte elements (floats, or ints for row indices) in device memory. Reads and writes block, because JOCL allows non-blocking transfers only
 * on direct buffers. Released by {@link #close()} or, at the latest, by its {@link ClContext}.
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
