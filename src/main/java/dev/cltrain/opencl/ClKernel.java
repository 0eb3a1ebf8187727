package dev.cltrain.opencl;

import static org.jocl.CL.*;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_event;
import org.jocl.cl_kernel;

/**
 * One kernel. Arguments go in the order the .cl file declares them, set by a builder that counts the index:
 * {@code kernel.args(rows, cols, z, bias, a).launch(rows * cols)}.
 */
public final class ClKernel {
  private final ClContext context;
  private final String name;
  private final cl_kernel kernel;
  /** Set after the first launch: PoCL compiles the work-group function then (see JvmSignals). */
  private boolean launched;
  /** The work-group size of {@link #launchGuarded} and {@link #launch2dGuarded}; 0 until the first such launch. */
  private int group;

  /** Work-items per group of a guarded launch: {@value}, or the kernel's limit on its device when lower. */
  public static final int GROUP = 256;

  /** The program's file and build options, for {@link #groupSizes()}. */
  private final String program;
  /** The work-group shape of the last launch (null: the implementation's choice), for {@link #groupSizes()}. */
  private long[] lastLocal = {-1};
  /** Each kernel's launch shapes as they change: "file options | kernel | local" (for tests). */
  private static final java.util.List<String> GROUP_SIZES =
      java.util.Collections.synchronizedList(new java.util.ArrayList<>());

  ClKernel(ClContext context, String name, cl_kernel kernel, String program) {
    this.context = context;
    this.name = name;
    this.kernel = kernel;
    this.program = program;
  }

  /**
   * The work-group sizes kernels of this process were launched with, one entry each time a kernel's size differs
   * from its previous launch's (PoCL compiles a kernel once per size), for tests.
   *
   * @return "file options | kernel | size", e.g. "loss.cl -DTILE=16 ... | xent_delta | [256]"; the size "null"
   *     where the implementation chose it
   */
  public static java.util.List<String> groupSizes() {
    synchronized (GROUP_SIZES) {
      return java.util.List.copyOf(GROUP_SIZES);
    }
  }

  /**
   * The kernel's name.
   *
   * @return the name in its .cl file, e.g. "matmul_transpose_a"
   */
  public String name() {
    return name;
  }

  cl_kernel handle() {
    return kernel;
  }

  /**
   * The parameter names as the device compiled them (needs the program built with -cl-kernel-arg-info;
   * OpenClKernels always passes it).
   *
   * @return the names in declaration order, e.g. [count, a, dz]
   * @throws ClException when the device cannot report them
   */
  public java.util.List<String> argumentNames() {
    int[] count = new int[1];
    ClException.checkVoid("clGetKernelInfo(" + name + ", CL_KERNEL_NUM_ARGS)",
        () -> clGetKernelInfo(kernel, CL_KERNEL_NUM_ARGS, Sizeof.cl_uint, Pointer.to(count), null));
    java.util.List<String> names = new java.util.ArrayList<>();
    for (int i = 0; i < count[0]; i++) {
      int index = i;
      long[] size = new long[1];
      ClException.checkVoid("clGetKernelArgInfo(" + name + ", " + i + ")",
          () -> clGetKernelArgInfo(kernel, index, CL_KERNEL_ARG_NAME, 0, null, size));
      byte[] bytes = new byte[(int) size[0]];
      ClException.checkVoid("clGetKernelArgInfo(" + name + ", " + i + ")",
          () -> clGetKernelArgInfo(kernel, index, CL_KERNEL_ARG_NAME, bytes.length, Pointer.to(bytes), null));
      names.add(new String(bytes, java.nio.charset.StandardCharsets.UTF_8).replace("\0", "").strip());
    }
    return names;
  }

  /**
   * The largest work-group this kernel can run in on its device (CL_KERNEL_WORK_GROUP_SIZE).
   *
   * @return work-items
   * @throws ClException when the device cannot say
   */
  public long workGroupLimit() {
    long[] size = new long[1];
    ClException.checkVoid("clGetKernelWorkGroupInfo(" + name + ", CL_KERNEL_WORK_GROUP_SIZE)",
        () -> clGetKernelWorkGroupInfo(kernel, context.device().id(), CL_KERNEL_WORK_GROUP_SIZE, Sizeof.size_t,
            Pointer.to(size), null));
    return size[0];
  }

  /**
   * Sets every argument: Integer as int, Float as float, ClBuffer as a global buffer.
   *
   * @param values the arguments in the order the kernel declares them, starting at index 0
   * @return this kernel, to launch
   * @throws IllegalArgumentException for a value of any other type
   * @throws ClException when OpenCL rejects an argument (wrong size for its index, or no such index)
   */
  public ClKernel args(Object... values) {
    for (int i = 0; i < values.length; i++) {
      int index = i;
      Object v = values[i];
      String call = "clSetKernelArg(" + name + ", " + index + ")";
      if (v instanceof Integer n) {
        ClException.checkVoid(call, () -> clSetKernelArg(kernel, index, Sizeof.cl_int, Pointer.to(new int[] {n})));
      } else if (v instanceof Float f) {
        ClException.checkVoid(call, () -> clSetKernelArg(kernel, index, Sizeof.cl_float, Pointer.to(new float[] {f})));
      } else if (v instanceof ClBuffer b) {
        ClException.checkVoid(call, () -> clSetKernelArg(kernel, index, Sizeof.cl_mem, Pointer.to(b.handle())));
      } else {
        throw new IllegalArgumentException("argument " + index + " of " + name + ": unsupported type " + v);
      }
    }
    return this;
  }

  /**
   * Enqueues one work-item per element of a 1-D range; the implementation picks the work-group size.
   *
   * @param global work-items; 0 enqueues nothing
   * @throws ClException when the launch is rejected
   */
  public void launch(long global) {
    if (global == 0) {
      return;
    }
    enqueue(new long[] {global}, null);
  }

  /**
   * Enqueues at least {@code items} work-items of a 1-D range in groups of a fixed size ({@link #GROUP}, or the
   * largest power of two the kernel's CL_KERNEL_WORK_GROUP_SIZE allows), the range rounded up to whole groups:
   * the kernel must ignore the work-items past its elements. Where the implementation picks the groups, PoCL
   * picks them by the range's size and compiles the kernel's work-group function once per group size it meets
   * (most kernels met ten at the first-use check's shapes); a fixed size compiles it once.
   *
   * @param items work-items wanted; 0 enqueues nothing
   * @throws ClException when the launch is rejected
   */
  public void launchGuarded(long items) {
    if (items == 0) {
      return;
    }
    int local = group();
    enqueue(new long[] {roundUp(items, local)}, new long[] {local});
  }

  /**
   * As {@link #launchGuarded}, in two dimensions: at least {@code columns × rows} work-items in square groups
   * of E × E, the largest power of two E whose square is within the group size; the kernel must ignore the
   * work-items past its edges.
   *
   * @param columns work-items wanted in dimension 0; 0 enqueues nothing
   * @param rows work-items wanted in dimension 1; 0 enqueues nothing
   * @throws ClException when the launch is rejected
   */
  public void launch2dGuarded(long columns, long rows) {
    int edge = 1;
    while (4L * edge * edge <= group()) {
      edge *= 2;
    }
    launch2d(columns, rows, edge);
  }

  private int group() {
    if (group == 0) {
      group = Integer.highestOneBit((int) Math.max(1, Math.min(GROUP, Math.min(workGroupLimit(),
          context.device().maxWorkGroup()))));
    }
    return group;
  }

  /**
   * Enqueues a 2-D range of at least {@code columns × rows} work-items in groups of {@code local × local};
   * the range is rounded up to whole groups and the kernel guards the edges.
   *
   * @param columns work-items wanted in dimension 0; 0 enqueues nothing
   * @param rows work-items wanted in dimension 1; 0 enqueues nothing
   * @param local the work-group edge
   * @throws ClException when the launch is rejected
   */
  public void launch2d(long columns, long rows, int local) {
    if (columns == 0 || rows == 0) {
      return;
    }
    enqueue(new long[] {roundUp(columns, local), roundUp(rows, local)}, new long[] {local, local});
  }

  /**
   * Enqueues a 2-D range of exactly {@code columns × rows} work-items, each its own work-group. On a CPU
   * device every work-item then is a unit the runtime can hand to any core (see OpenClKernels' transpose_a).
   *
   * @param columns work-items in dimension 0; 0 enqueues nothing
   * @param rows work-items in dimension 1; 0 enqueues nothing
   * @throws ClException when the launch is rejected
   */
  public void launch2dSingleItems(long columns, long rows) {
    if (columns == 0 || rows == 0) {
      return;
    }
    enqueue(new long[] {columns, rows}, new long[] {1, 1});
  }

  /**
   * Enqueues exactly one work-group of {@code size} work-items (for single-group reductions).
   *
   * @param size work-items, no more than the device's work-group limit
   * @throws ClException when the launch is rejected, e.g. {@code size} over the limit
   */
  public void launchGroup(int size) {
    enqueue(new long[] {size}, new long[] {size});
  }

  private void enqueue(long[] global, long[] local) {
    if (!java.util.Arrays.equals(local, lastLocal)) {
      lastLocal = local;
      GROUP_SIZES.add(program + " | " + name + " | " + java.util.Arrays.toString(local));
    }
    cl_event event = context.profiling() ? new cl_event() : null;
    Runnable call = () -> ClException.checkVoid("clEnqueueNDRangeKernel(" + name + ")",
        () -> clEnqueueNDRangeKernel(context.queue(), kernel, global.length, null, global, local, 0, null, event));
    if (launched) {
      call.run();
    } else { // a driver may compile here (Rusticl) and print to fd 2: kept from the terminal, shown with --verbose
      dev.cltrain.core.Notices.driverOutput("the first launch of " + name, JvmSignals.captureStderr(call));
    }
    if (event != null) {
      context.recordLaunch(name, event);
    }
    if (!launched) {
      launched = true;
      JvmSignals.restore("the first launch of " + name);
    }
  }

  private static long roundUp(long n, int multiple) {
    return (n + multiple - 1) / multiple * multiple;
  }
}
