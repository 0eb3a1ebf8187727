package dev.cltrain.opencl;

import static org.jocl.CL.*;

import java.util.HashMap;
import java.util.Map;
import org.jocl.cl_kernel;
import org.jocl.cl_program;

/**
 * A program (one kernels/*.cl file with its build options); hands out its kernels by name, each made once. It is
 * built at its first use (a kernel's first argument, launch or query, or {@link #kernelNames()}), and each kernel
 * is created then too, so that a context builds only what it runs.
 */
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
  /** The built program: null until {@link #handle()} first builds it. */
  private cl_program program;
  private final Map<String, ClKernel> kernels = new HashMap<>();

  ClProgram(ClContext context, String file, String options) {
    this.context = context;
    this.file = file;
    this.options = options;
  }

  /**
   * The file this program was built from.
   *
   * @return the kernel file's name, e.g. "matmul.cl"
   */
  public String file() {
    return file;
  }

  /** The built program, built now if this is its first use ({@link ClContext#build}). */
  synchronized cl_program handle() {
    if (program == null) {
      program = context.build(file, options);
    }
    return program;
  }

  /**
   * Names of every kernel in the program (CL_PROGRAM_KERNEL_NAMES), in the order the device reports.
   *
   * @return the kernel names; empty when the program has none
   */
  public java.util.List<String> kernelNames() {
    cl_program program = handle();
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
   * @return the kernel, the same object on every call; made on the device (and the program built) at its first use
   */
  public synchronized ClKernel kernel(String name) {
    return kernels.computeIfAbsent(name, n -> new ClKernel(context, n, this, file + " " + options));
  }

  /**
   * Creates the kernel {@code name} on the device, building this program first if need be ({@link ClKernel}'s
   * first use).
   *
   * @return the kernel, released when the context closes
   * @throws ClException when the build fails, or the program has no such kernel (CL_INVALID_KERNEL_NAME)
   */
  cl_kernel create(String name) {
    cl_program built = handle();
    cl_kernel[] made = new cl_kernel[1];
    // some drivers (Rusticl) compile here and print to fd 2: kept from the terminal, shown with --verbose
    String printed = JvmSignals.captureStderr(() -> made[0] = ClException.check("clCreateKernel(" + file + ":" + name
        + ")", () -> clCreateKernel(built, name, null)));
    dev.cltrain.core.Notices.driverOutput("clCreateKernel(" + file + ":" + name + ")", printed);
    cl_kernel kernel = made[0];
    context.own("kernel " + name, () -> clReleaseKernel(kernel));
    return kernel;
  }
}
