package dev.cltrain.opencl;

import static org.jocl.CL.*;

import java.util.HashMap;
import java.util.Map;
import org.jocl.cl_kernel;
import org.jocl.cl_program;

/** A built program (one kernels/*.cl file); hands out its kernels by name, each created once. */
public final class ClProgram {
  /**
   * Starts every program, before prelude.cl: FP_CONTRACT OFF keeps the compiler from fusing a*b+c into one
   * rounding on its own, so device arithmetic rounds like the Java reference's. Where a kernel wants a fused
   * multiply-add (the matmuls' accumulations) it writes fma() explicitly, and the reference Math.fma.
   */
  static final String PRAGMAS = "#pragma OPENCL FP_CONTRACT OFF\n";

  /** The shared helpers prepended to every kernel file (kernels use no #include). */
  public static final String PRELUDE_FILE = "prelude.cl";

  /** The text compiled for {@code file}: pragmas, prelude.cl, then the file, whose build-log line numbers stay its own. */
  static String assemble(KernelSource source, String file) {
    return PRAGMAS + source.load(PRELUDE_FILE) + "\n#line 1\n" + source.load(file);
  }

  private final ClContext context;
  private final String file;
  private final String options;
  private final cl_program program;
  private final Map<String, ClKernel> kernels = new HashMap<>();

  ClProgram(ClContext context, String file, String options, cl_program program) {
    this.context = context;
    this.file = file;
    this.options = options;
    this.program = program;
  }

  /**
   * The file this program was built from.
   *
   * @return the kernel file's name, e.g. "matmul.cl"
   */
  public String file() {
    return file;
  }

  cl_program handle() {
    return program;
  }

  /**
   * Names of every kernel in the program (CL_PROGRAM_KERNEL_NAMES), in the order the device reports.
   *
   * @return the kernel names; empty when the program has none
   */
  public java.util.List<String> kernelNames() {
    long[] size = new long[1];
    ClException.checkVoid("clGetProgramInfo(" + file + ", CL_PROGRAM_KERNEL_NAMES)",
        () -> clGetProgramInfo(program, CL_PROGRAM_KERNEL_NAMES, 0, null, size));
    byte[] bytes = new byte[(int) size[0]];
    ClException.checkVoid("clGetProgramInfo(" + file + ", CL_PROGRAM_KERNEL_NAMES)",
        () -> clGetProgramInfo(program, CL_PROGRAM_KERNEL_NAMES, bytes.length, org.jocl.Pointer.to(bytes), null));
    String names = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).replace("\0", "").strip();
    return names.isEmpty() ? java.util.List.of() : java.util.List.of(names.split(";"));
  }

  /**
   * The kernel {@code name} of this program, e.g. {@code kernel("matmul")}.
   *
   * @param name the kernel's name in the .cl file
   * @return the kernel, created on first request and the same object after; owned by the context
   * @throws ClException when the program has no such kernel (CL_INVALID_KERNEL_NAME)
   */
  public synchronized ClKernel kernel(String name) {
    return kernels.computeIfAbsent(name, n -> {
      cl_kernel[] made = new cl_kernel[1];
      // some drivers (Rusticl) compile here and print to fd 2: kept from the terminal, shown with --verbose
      String printed = JvmSignals.captureStderr(() -> made[0] = ClException.check("clCreateKernel(" + file + ":" + n
          + ")", () -> clCreateKernel(program, n, null)));
      dev.cltrain.core.Notices.driverOutput("clCreateKernel(" + file + ":" + n + ")", printed);
      cl_kernel kernel = made[0];
      context.own("kernel " + n, () -> clReleaseKernel(kernel));
      return new ClKernel(context, n, kernel, file + " " + options);
    });
  }
}
