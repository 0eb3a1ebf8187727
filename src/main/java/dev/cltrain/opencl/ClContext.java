package dev.cltrain.opencl;

import dev.cltrain.core.KernelTime;

import static org.jocl.CL.*;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_event;
import org.jocl.cl_program;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One device's context and in-order command queue, and everything made on it: programs, kernels, buffers.
 * {@link #close()} releases them in reverse order of creation, is safe to call twice, and logs rather than
 * throws release errors.
 */
public final class ClContext implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClContext.class);
  private static final AtomicLong created = new AtomicLong();
  private static final AtomicLong released = new AtomicLong();

  private final ClDevice device;
  private final KernelSource source;
  private final cl_context context;
  private final cl_command_queue queue;
  private final Deque<Releasable> owned = new ArrayDeque<>();
  private final Map<String, ClProgram> programs = new HashMap<>();
  private boolean closed;
  private final boolean profiling;
  private final java.util.List<Launch> launches = new java.util.ArrayList<>();
  private final AtomicLong bytesToDevice = new AtomicLong();
  private final AtomicLong bytesFromDevice = new AtomicLong();

  /** One profiled kernel launch: the kernel's name and its event. */
  private record Launch(String kernel, cl_event event) {}

  /**
   * Time spent in one kernel over the launches since the last {@link #takeProfile()}.
   *
   * @param kernel the kernel's name in its .cl file
   * @param launches how many times it was launched
   * @param nanos device time summed over those launches, in nanoseconds
   */
  public record KernelTime(String kernel, int launches, long nanos) {}

  /** Something this context must release when it closes. */
  interface Releasable {
    String describe();

    void release();
  }

  /**
   * A context and queue on {@code device}, without profiling.
   *
   * @param device the device, as discovery found it
   * @param source where {@link #program} reads the .cl files
   * @throws ClException when the context or the queue cannot be created
   */
  public ClContext(ClDevice device, KernelSource source) {
    this(device, source, false);
  }

  /**
   * A context and queue on {@code device}.
   *
   * @param device the device, as discovery found it
   * @param source where {@link #program} reads the .cl files
   * @param profiling create the queue with CL_QUEUE_PROFILING_ENABLE and keep an event per kernel launch,
   *     for {@link #takeProfile()} (bench and --profile only: events cost host time on every launch)
   * @throws ClException when the context or the queue cannot be created
   */
  public ClContext(ClDevice device, KernelSource source, boolean profiling) {
    this.device = device;
    this.profiling = profiling;
    this.source = source;
    cl_device_id[] ids = {device.id()};
    this.context = ClException.check("clCreateContext(" + device.ref() + ")",
        () -> clCreateContext(null, 1, ids, null, null, null));
    JvmSignals.restore("clCreateContext");
    own("context", () -> clReleaseContext(context));
    this.queue = ClException.check("clCreateCommandQueue(" + device.ref() + ")",
        () -> clCreateCommandQueue(context, device.id(), profiling ? CL_QUEUE_PROFILING_ENABLE : 0, null));
    own("command queue", () -> clReleaseCommandQueue(queue));
  }

  /**
   * The device this context runs on.
   *
   * @return the device as discovery found it
   */
  public ClDevice device() {
    return device;
  }

  cl_context handle() {
    return context;
  }

  cl_command_queue queue() {
    return queue;
  }

  /**
   * The program built from {@code file} with {@code options}, built once per context and cached. Where the same
   * program (device, options and source text) was built from source often enough before in this process, it is
   * built from the binary one of those builds gave ({@link ProgramBinaries}), from source where the device refuses
   * it.
   *
   * @param file a kernel file name, e.g. "matmul.cl"; prelude.cl is prepended to it
   * @param options the OpenCL build options, e.g. {@link ProgramOptions#buildOptions}'s; part of the cache key
   * @return the built program, owned by this context
   * @throws ClException when the build fails, carrying the file and the build log
   */
  public synchronized ClProgram program(String file, String options) {
    String key = file + "\0" + options;
    ClProgram cached = programs.get(key);
    if (cached != null) {
      return cached;
    }
    String where = source.describe(file);
    String text = ClProgram.assemble(source, file);
    BUILDS.add(file + " " + options);
    ProgramBinaries.Key same = ProgramBinaries.Key.of(device, options, text);
    byte[] binary = ProgramBinaries.binary(same);
    cl_program program = binary == null ? null : fromBinary(where, options, binary);
    if (program != null) {
      binaryBuilds++;
    } else {
      if (binary != null) {
        ProgramBinaries.drop(same);
      }
      program = fromSource(where, options, text);
      sourceBuilds++;
      if (ProgramBinaries.builtFromSource(same) && keepsBinaries) {
        byte[] built = ProgramBinaries.fetch(program);
        if (built != null) {
          ProgramBinaries.keep(same, built);
        }
      }
    }
    ClProgram built = new ClProgram(this, file, options, program);
    programs.put(key, built);
    return built;
  }

  /** Builds {@code text}; the program is owned by this context, released with it even where the build failed. */
  private cl_program fromSource(String where, String options, String text) {
    cl_program program = ClException.check("clCreateProgramWithSource(" + where + ")",
        () -> clCreateProgramWithSource(context, 1, new String[] {text}, null, null));
    own("program " + where, () -> clReleaseProgram(program));
    CLException failed = build(program, options, "clBuildProgram(" + where + ")");
    if (failed != null) {
      throw new ClException("clBuildProgram(" + where + ")", failed.getStatus(), "Build log:\n" + buildLog(program));
    }
    return program;
  }

  /** clBuildProgram on this context's device; {@return its failure, or null} */
  private CLException build(cl_program program, String options, String call) {
    CLException[] failed = new CLException[1];
    // the compiler's own output (warnings) goes to fd 2: kept from the terminal, shown with --verbose
    String printed = JvmSignals.captureStderr(() -> {
      try {
        clBuildProgram(program, 1, new cl_device_id[] {device.id()}, options, null, null);
      } catch (CLException e) {
        failed[0] = e;
      }
    });
    JvmSignals.restore("clBuildProgram");
    dev.cltrain.core.Notices.driverOutput(call, printed);
    return failed[0];
  }

  /**
   * The program built from {@code binary}, owned by this context; null, with nothing left behind, where the device
   * refuses the binary or its build (the caller then builds from source).
   */
  private cl_program fromBinary(String where, String options, byte[] binary) {
    cl_program program;
    try {
      program = clCreateProgramWithBinary(context, 1, new cl_device_id[] {device.id()}, new long[] {binary.length},
          new byte[][] {binary}, new int[1], null);
    } catch (CLException e) {
      log.debug("{}: the device refused the binary of an earlier build ({}); building from source", where,
          e.getMessage());
      return null;
    }
    CLException failed = build(program, options, "clBuildProgram(" + where + ", from its binary)");
    if (failed != null) {
      log.debug("{}: building the binary of an earlier build failed ({}); building from source", where,
          failed.getMessage());
      clReleaseProgram(program);
      return null;
    }
    own("program " + where, () -> clReleaseProgram(program));
    return program;
  }

  /** Whether this context's builds from source may fetch and keep their binaries ({@link #keepNoBinaries}). */
  private boolean keepsBinaries = true;

  /**
   * Keeps no binary of this context's builds (it still builds from those kept): the tuner's, whose candidates are
   * each built once per tuning; fetching one makes PoCL compile every kernel of it, minutes for a tuning's
   * candidates with its cache cold, where a process tunes three times (FirstUseCheckTest).
   */
  synchronized void keepNoBinaries() {
    keepsBinaries = false;
  }

  /** Programs this context built from source, and from the binary of an earlier build (for tests). */
  private int sourceBuilds;
  private int binaryBuilds;

  /** {@return how many of this context's programs were built from source} */
  synchronized int sourceBuilds() {
    return sourceBuilds;
  }

  /** {@return how many of this context's programs were built from the binary of an earlier build} */
  synchronized int binaryBuilds() {
    return binaryBuilds;
  }

  /** Every clBuildProgram of this process, as "file options", in order (for tests). */
  private static final java.util.List<String> BUILDS = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

  /**
   * The programs every context of this process has built, for tests that count builds.
   *
   * @return "file options" per clBuildProgram call, oldest first, e.g. "loss.cl -DTILE=16 ..."
   */
  public static java.util.List<String> builds() {
    synchronized (BUILDS) {
      return java.util.List.copyOf(BUILDS);
    }
  }

  private String buildLog(cl_program program) {
    try {
      long[] size = new long[1];
      clGetProgramBuildInfo(program, device.id(), CL_PROGRAM_BUILD_LOG, 0, null, size);
      byte[] bytes = new byte[(int) size[0]];
      clGetProgramBuildInfo(program, device.id(), CL_PROGRAM_BUILD_LOG, bytes.length, Pointer.to(bytes), null);
      String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).replace("\0", "").strip();
      return text.isEmpty() ? "(empty)" : text;
    } catch (CLException e) {
      return "(build log unavailable: " + e.getMessage() + ")";
    }
  }

  /**
   * A device buffer of {@code length} 4-byte elements (floats or ints), uninitialised.
   *
   * @param length number of elements (0 allocates one, as OpenCL allows no empty buffer)
   * @return the buffer, released by its {@link ClBuffer#close()} or when this context closes
   * @throws ClException when the device cannot allocate it
   */
  public synchronized ClBuffer buffer(int length) {
    long bytes = Math.max(1, length) * 4L;
    var mem = ClException.check("clCreateBuffer(" + bytes + " bytes on " + device.ref() + ")",
        () -> clCreateBuffer(context, CL_MEM_READ_WRITE, bytes, null, null));
    ClBuffer buffer = new ClBuffer(this, mem, length);
    own("buffer of " + length + " floats", buffer::releaseNow);
    return buffer;
  }

  /**
   * A device buffer holding a copy of {@code data}, written before this returns.
   *
   * @param data the floats to copy
   * @return a buffer of {@code data.length} floats, owned by this context
   */
  public ClBuffer upload(float[] data) {
    ClBuffer buffer = buffer(data.length);
    buffer.write(data);
    return buffer;
  }

  /**
   * A device buffer holding a copy of {@code data}, written before this returns.
   *
   * @param data the ints to copy, e.g. row indices
   * @return a buffer of {@code data.length} ints, owned by this context
   */
  public ClBuffer upload(int[] data) {
    ClBuffer buffer = buffer(data.length);
    buffer.write(data);
    return buffer;
  }

  boolean profiling() {
    return profiling;
  }

  synchronized void recordLaunch(String kernel, cl_event event) {
    launches.add(new Launch(kernel, event));
  }

  void countTransfer(long bytes, boolean toDevice) {
    (toDevice ? bytesToDevice : bytesFromDevice).addAndGet(bytes);
  }

  /**
   * Bytes copied host → device and device → host since this context was made.
   *
   * @return {to device, from device}, in bytes
   */
  public long[] transferredBytes() {
    return new long[] {bytesToDevice.get(), bytesFromDevice.get()};
  }

  /**
   * Waits for the queue, then returns the device time of every kernel launched since the last call,
   * summed per kernel name (CL_PROFILING_COMMAND_START to _END), in the order first launched; releases
   * the events.
   *
   * @return one entry per kernel name; empty unless this context was made with profiling
   */
  public synchronized java.util.List<KernelTime> takeProfile() {
    finish();
    java.util.Map<String, long[]> totals = new java.util.LinkedHashMap<>();
    long[] start = new long[1];
    long[] end = new long[1];
    try {
      for (Launch launch : launches) {
        ClException.checkVoid("clGetEventProfilingInfo(" + launch.kernel() + ")", () -> {
          clGetEventProfilingInfo(launch.event(), CL_PROFILING_COMMAND_START, org.jocl.Sizeof.cl_ulong,
              Pointer.to(start), null);
          clGetEventProfilingInfo(launch.event(), CL_PROFILING_COMMAND_END, org.jocl.Sizeof.cl_ulong,
              Pointer.to(end), null);
        });
        long[] total = totals.computeIfAbsent(launch.kernel(), k -> new long[2]);
        total[0]++;
        total[1] += end[0] - start[0];
      }
    } finally {
      for (Launch launch : launches) {
        clReleaseEvent(launch.event());
      }
      launches.clear();
    }
    java.util.List<KernelTime> times = new java.util.ArrayList<>();
    totals.forEach((kernel, t) -> times.add(new KernelTime(kernel, (int) t[0], t[1])));
    return times;
  }

  /** Sends every enqueued command to the device without waiting for it (clFlush). */
  public void flush() {
    ClException.checkVoid("clFlush(" + device.ref() + ")", () -> clFlush(queue));
  }

  /**
   * Marks the commands enqueued so far (clEnqueueMarkerWithWaitList) and hands them to the device (clFlush):
   * {@link Marker#await} then waits for them alone, not for what is enqueued after the mark.
   *
   * @return the mark; its event is released by {@link Marker#await}, or when this context closes
   */
  public synchronized Marker marker() {
    cl_event event = new cl_event();
    ClException.checkVoid("clEnqueueMarkerWithWaitList(" + device.ref() + ")",
        () -> clEnqueueMarkerWithWaitList(queue, 0, null, event));
    markers.add(event);
    flush();
    return awaiting(event);
  }

  /**
   * The wait for {@code event} (a command of this context's queue): {@link Marker#await} blocks until it has
   * finished and releases it; {@link #close()} releases it where it was never awaited.
   */
  synchronized Marker awaiting(cl_event event) {
    markers.add(event);
    return () -> {
      synchronized (this) {
        if (!markers.remove(event)) {
          return; // awaited before, or released by close()
        }
      }
      try {
        ClException.checkVoid("clWaitForEvents(" + device.ref() + ")",
            () -> clWaitForEvents(1, new cl_event[] {event}));
      } finally {
        clReleaseEvent(event);
      }
    };
  }

  /** A point in a queue's commands: {@link #await} waits until every command enqueued before it has finished. */
  @FunctionalInterface
  public interface Marker {
    /** Waits for the commands before the mark (at once after the first call) and releases the mark. */
    void await();
  }

  /** Markers not yet awaited, released when this context closes. */
  private final java.util.Set<cl_event> markers = new java.util.HashSet<>();

  /** Waits until every enqueued command has finished (clFinish). */
  public void finish() {
    ClException.checkVoid("clFinish(" + device.ref() + ")", () -> clFinish(queue));
  }

  synchronized void own(String what, Runnable release) {
    created.incrementAndGet();
    owned.push(new Releasable() {
      @Override
      public String describe() {
        return what;
      }

      @Override
      public void release() {
        release.run();
      }
    });
  }

  /** Releases everything this context made, newest first; safe to call twice. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      clFinish(queue);
    } catch (RuntimeException e) {
      log.warn("clFinish before release failed (ignoring): {}", e.getMessage());
    }
    for (Launch launch : launches) {
      try {
        clReleaseEvent(launch.event());
      } catch (RuntimeException e) {
        log.warn("releasing an event failed (ignoring): {}", e.getMessage());
      }
    }
    launches.clear();
    for (cl_event marker : markers) {
      try {
        clReleaseEvent(marker);
      } catch (RuntimeException e) {
        log.warn("releasing a marker failed (ignoring): {}", e.getMessage());
      }
    }
    markers.clear();
    while (!owned.isEmpty()) {
      Releasable r = owned.pop();
      try {
        r.release();
      } catch (RuntimeException e) {
        log.warn("releasing {} failed (ignoring): {}", r.describe(), e.getMessage());
      }
      released.incrementAndGet();
    }
    programs.clear();
  }

  /**
   * OpenCL objects created and released by all contexts of this process, for leak tests.
   *
   * @return {created, released}; equal when every context has been closed
   */
  public static long[] objectCounts() {
    return new long[] {created.get(), released.get()};
  }
}
