package dev.cltrain.reference;

/**
 * The reference's matrix-product loop over a block of c: c(i, j) = alpha · Σ_p a(i, p) · b(p, j) for rows
 * i in [rowFrom, rowTo) and columns j in [colFrom, colTo) of c's n, with b(p, j) = b[p·bRowStride + j·bColStride]
 * (bColStride 1: b's rows contiguous; bRowStride 1: b stored transposed, as matmul_transpose_b reads it) and a(i, p) =
 * a[i·aRowStride + p·aColStride]. Every implementation accumulates each element's products in ascending p
 * with one fused multiply-add each (sum = fma(a, b, sum), a single rounding), starting from 0, then
 * multiplies by alpha: the bits matmul.cl computes with OpenCL's fma(), which is correctly rounded too
 * ({@code Math.fma} is exact wherever it runs; on a CPU without FMA instructions it is only slow).
 * {@link #plain()} is the loop itself; {@link #best()} adds SIMD through the Vector API when the JVM has the jdk.incubator.vector module ({@code --add-modules jdk.incubator.vector}, which
 * scripts/cltrain passes), the same bits in fewer instructions.
 */
interface MatmulRows {
  void block(int rowFrom, int rowTo, int colFrom, int colTo, int n, int k, float alpha, float[] a, int aRowStride,
      int aColStride, float[] b, int bRowStride, int bColStride, float[] c);

  /** "plain Java" or "Vector API, 16 lanes". */
  String describe();

  /** {@return the floats of the vectors the loops compute with: 1 for the plain loop, the Vector API's preferred species' lanes} */
  default int lanes() {
    return 1;
  }

  /** The i-k-j loop, nothing clever: each row of c accumulates b's rows scaled by a's entries. */
  static MatmulRows plain() {
    return Plain.INSTANCE;
  }

  /** The Vector API loops when the module is present, else {@link #plain()}. */
  static MatmulRows best() {
    return Best.INSTANCE;
  }

  /** {@return whether this JVM has the Vector API: started with {@code --add-modules jdk.incubator.vector}} */
  static boolean vectorApi() {
    return ModuleLayer.boot().findModule(VectorNotice.MODULE).isPresent();
  }

  /**
   * The system property that makes the reference run its plain loops everywhere (products, convolutions, pooling,
   * updates) even where the Vector API is there: {@code -Dcltrain.plainMatmul=true}, which {@code CLTRAIN_PLAIN_JAVA=1}
   * passes. The bits are the same either way.
   */
  String PLAIN_PROPERTY = "cltrain.plainMatmul";

  /**
   * The loops of src/main/vector's class {@code simpleName} (made with its no-argument constructor) when this JVM
   * has the Vector API and the class loads and {@link #PLAIN_PROPERTY} is not set, else {@code plain}.
   *
   * @param <T> the loops' interface
   * @param type the loops' interface
   * @param simpleName the implementing class in this package
   * @param plain the plain loops
   * @return the loops to run
   */
  static <T> T vectorLoops(Class<T> type, String simpleName, T plain) {
    if (Boolean.getBoolean(PLAIN_PROPERTY) || !vectorApi()) {
      return plain;
    }
    try {
      return type.cast(Class.forName(MatmulRows.class.getPackageName() + "." + simpleName).getDeclaredConstructor()
          .newInstance());
    } catch (ReflectiveOperationException | LinkageError e) {
      return plain;
    }
  }

  /**
   * The warning that the reference runs its plain loops because the JVM lacks the Vector API, several times
   * slower (issue 22 timed a Fashion-MNIST epoch at 49.9 s against 10.0 s); said once per JVM, through SLF4J.
   */
  final class VectorNotice {
    static final String MODULE = "jdk.incubator.vector";
    private static final java.util.concurrent.atomic.AtomicBoolean SAID = new java.util.concurrent.atomic.AtomicBoolean();

    private VectorNotice() {}

    /**
     * Logs the warning the first time it is called in a JVM without the module, unless the plain loops were chosen
     * ({@code -Dcltrain.plainMatmul=true}, which {@code CLTRAIN_PLAIN_JAVA=1} passes).
     *
     * @return whether it logged now
     */
    static boolean sayOnce() {
      if (vectorApi() || Boolean.getBoolean(PLAIN_PROPERTY) || !SAID.compareAndSet(false, true)) {
        return false;
      }
      org.slf4j.LoggerFactory.getLogger(ReferenceKernels.class).warn("the Java reference runs plain loops, several "
          + "times slower than with the Vector API: start java with --add-modules " + MODULE + " (scripts/cltrain does)");
      return true;
    }
  }

  /** Holder: decides once, on first use, whether the Vector API is there. */
  final class Best {
    static final MatmulRows INSTANCE = load();

    private Best() {}

    private static MatmulRows load() {
      if (Boolean.getBoolean(PLAIN_PROPERTY) || !vectorApi()) {
        return plain();
      }
      try {
        return (MatmulRows) Class.forName("dev.cltrain.reference.VectorBlocks").getDeclaredMethod("preferred").invoke(null);
      } catch (ReflectiveOperationException | LinkageError e) {
        return plain();
      }
    }
  }

  /** The plain loop. */
  final class Plain implements MatmulRows {
    static final Plain INSTANCE = new Plain();

    private Plain() {}

    @Override
    public void block(int rowFrom, int rowTo, int colFrom, int colTo, int n, int k, float alpha, float[] a,
        int aRowStride, int aColStride, float[] b, int bRowStride, int bColStride, float[] c) {
      for (int row = rowFrom; row < rowTo; row++) {
        int out = row * n;
        java.util.Arrays.fill(c, out + colFrom, out + colTo, 0.0f);
        for (int p = 0; p < k; p++) {
          float av = a[row * aRowStride + p * aColStride];
          int bp = p * bRowStride;
          if (bColStride == 1) { // apart, so that the JIT vectorises the contiguous case
            for (int col = colFrom; col < colTo; col++) {
              c[out + col] = Math.fma(av, b[bp + col], c[out + col]);
            }
          } else {
            for (int col = colFrom; col < colTo; col++) {
              c[out + col] = Math.fma(av, b[bp + col * bColStride], c[out + col]);
            }
          }
        }
        for (int col = colFrom; col < colTo; col++) {
          c[out + col] = alpha * c[out + col];
        }
      }
    }

    @Override
    public String describe() {
      return "plain Java";
    }
  }
}
