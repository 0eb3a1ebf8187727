package dev.cltrain.opencl;

import static org.jocl.CL.*;

import org.jocl.Pointer;
import org.jocl.cl_mem;

/**
 * A buffer of 4-byte elements (floats, or ints for row indices) in device memory. Reads and writes of Java arrays
 * block, because JOCL allows non-blocking transfers only on direct buffers; {@link #readLater} and
 * {@link #writeLater} take direct buffers and return at once. Released by {@link #close()} or, at the latest, by its {@link ClContext}.
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
   * Starts copying the buffer's first {@code out.capacity()} floats into {@code out}, after every command enqueued
   * before, without waiting (clEnqueueReadBuffer, non-blocking: JOCL allows it for a direct buffer, which stays
   * reachable, and must not be read, until the returned mark is awaited). Handed to the device by the next flush.
   *
   * @param out a direct buffer in native byte order, at most {@link #length()} floats
   * @return the mark of the copy: {@link ClContext.Marker#await} returns once {@code out} holds the floats
   * @throws IllegalArgumentException when {@code out} is not direct or longer than the buffer
   * @throws ClException when the transfer cannot be enqueued
   */
  public ClContext.Marker readLater(java.nio.FloatBuffer out) {
    return later(out, false);
  }

  /**
   * Starts copying {@code data}'s {@code capacity()} floats to the start of the buffer, in order with the
   * commands enqueued before and after, without waiting (non-blocking clEnqueueWriteBuffer of a direct buffer:
   * {@code data} must stay unchanged until the returned mark is awaited). Handed to the device by the next flush.
   *
   * @param data a direct buffer in native byte order, at most {@link #length()} floats
   * @return the mark of the copy: {@link ClContext.Marker#await} returns once the device has the floats
   * @throws IllegalArgumentException when {@code data} is not direct or longer than the buffer
   * @throws ClException when the transfer cannot be enqueued
   */
  public ClContext.Marker writeLater(java.nio.FloatBuffer data) {
    return later(data, true);
  }

  private ClContext.Marker later(java.nio.FloatBuffer host, boolean toDevice) {
    if (!host.isDirect()) {
      throw new IllegalArgumentException("a non-blocking transfer needs a direct buffer");
    }
    int count = host.capacity();
    check(count);
    org.jocl.cl_event event = new org.jocl.cl_event();
    if (count == 0) {
      ClException.checkVoid("clEnqueueMarkerWithWaitList", () -> clEnqueueMarkerWithWaitList(context.queue(), 0, null, event));
      return context.awaiting(event);
    }
    context.countTransfer(count * 4L, toDevice);
    String call = (toDevice ? "clEnqueueWriteBuffer(" : "clEnqueueReadBuffer(") + count + " floats, non-blocking)";
    ClException.checkVoid(call, () -> {
      if (toDevice) {
        clEnqueueWriteBuffer(context.queue(), mem, CL_FALSE, 0, count * 4L, Pointer.to(host), 0, null, event);
      } else {
        clEnqueueReadBuffer(context.queue(), mem, CL_FALSE, 0, count * 4L, Pointer.to(host), 0, null, event);
      }
    });
    return context.awaiting(event);
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
