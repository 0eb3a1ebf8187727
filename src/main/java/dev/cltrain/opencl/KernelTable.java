package dev.cltrain.opencl;

import dev.cltrain.backend.Range;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The plain kernels of one context: every program of {@link OpenClKernels#FILES} but matmul.cl and small_net.cl
 * (whose launches are OpenClKernels' own), built when this is made, each kernel found by name in them, created
 * once and cached, and launched over a {@link Range} in fixed work-groups ({@link ClKernel#launchGuarded},
 * {@link ClKernel#launch2dGuarded}, {@link ClKernel#launchGroup}). This is the generic launch primitive of
 * {@link dev.cltrain.backend.Kernels#launch}: a kernel added to a .cl file needs nothing here.
 */
final class KernelTable {
  /** The files with launches of their own, not built here. */
  private static final List<String> SPECIAL = List.of("matmul.cl", "small_net.cl");

  /** Each kernel's program, by kernel name. */
  private final Map<String, ClProgram> programs = new HashMap<>();
  private final Map<String, ClKernel> kernels = new HashMap<>();
  private final int reduceGroup;
  private final int updateChunk;

  /**
   * Builds every plain program, in {@link OpenClKernels#FILES}' order.
   *
   * @param context the context that owns the programs and kernels
   * @param options the options every program is built with
   * @param convDefines what conv_direct.cl and conv_backward.cl are built with besides ({@link ConvPlan#defines})
   * @param reduceGroup REDUCE_GROUP: the work-items of a {@link Range#reduceGroup()} launch
   * @param updateChunk update.cl's UPDATE_CHUNK (it is built with it): a {@link Range#chunks} work-item's elements
   * @throws ClException when a build fails; the build log comes with it
   */
  KernelTable(ClContext context, String options, String convDefines, int reduceGroup, int updateChunk) {
    this.reduceGroup = reduceGroup;
    this.updateChunk = updateChunk;
    for (String file : OpenClKernels.FILES) {
      if (SPECIAL.contains(file)) {
        continue;
      }
      String fileOptions = switch (file) {
        case "update.cl" -> options + " -DUPDATE_CHUNK=" + updateChunk;
        case "conv_direct.cl", "conv_backward.cl" -> options + convDefines;
        default -> options;
      };
      ClProgram program = context.program(file, fileOptions);
      for (String name : program.kernelNames()) {
        programs.put(name, program);
      }
    }
  }

  /**
   * The kernel {@code name}, created on first request.
   *
   * @param name the kernel's name in its .cl file
   * @return the kernel, owned by the context
   * @throws IllegalArgumentException when no plain program has that kernel
   */
  synchronized ClKernel kernel(String name) {
    ClKernel kernel = kernels.get(name);
    if (kernel == null) {
      ClProgram program = programs.get(name);
      if (program == null) {
        List<String> files = new ArrayList<>(OpenClKernels.FILES.length);
        for (String file : OpenClKernels.FILES) {
          if (!SPECIAL.contains(file)) {
            files.add(file);
          }
        }
        throw new IllegalArgumentException("no kernel " + name + " in " + String.join(", ", files));
      }
      kernel = program.kernel(name);
      kernels.put(name, kernel);
    }
    return kernel;
  }

  /**
   * Sets {@code kernel}'s arguments (Integer as int, Float as float, a buffer as a global buffer) and enqueues it
   * over {@code range}, without waiting.
   *
   * @param name the kernel's name
   * @param range its work-items
   * @param args its arguments in declared order
   * @throws ClException when OpenCL rejects an argument or the launch (the message names the OpenCL constant)
   */
  void launch(String name, Range range, Object... args) {
    ClKernel kernel = kernel(name).args(args);
    switch (range.shape()) {
      case ITEMS -> kernel.launchGuarded(range.columns());
      case GRID -> kernel.launch2dGuarded(range.columns(), range.rows());
      case REDUCE_GROUP -> kernel.launchGroup(reduceGroup);
      case CHUNKS -> kernel.launchGuarded((range.columns() + updateChunk - 1) / updateChunk);
    }
  }
}
