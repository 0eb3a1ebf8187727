package dev.cltrain.reference;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Java reference's matrix products at the Fashion-MNIST MLP's shapes and at 1024³, with the Vector API loops
 * ("best", what runs when the JVM has jdk.incubator.vector) and the plain loop. GFLOP/s = 2·m·n·k / (time per op).
 * Run with scripts/jmh (not by the tests).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ReferenceMatmulBenchmark {
  /** m x n x k and the variant: nn, tn (a stored k x m) or nt (b stored n x k). */
  @Param({"128x784x256:nn", "128x256x128:nn", "784x128x256:tn", "128x256x784:nt", "1024x1024x1024:nn"})
  public String shape;

  @Param({"best", "plain"})
  public String loops;

  private ReferenceKernels kernels;
  private int m;
  private int n;
  private int k;
  private String variant;
  private float[] a;
  private float[] b;
  private float[] c;

  @Setup
  public void setUp() {
    String[] parts = shape.split("[x:]");
    m = Integer.parseInt(parts[0]);
    n = Integer.parseInt(parts[1]);
    k = Integer.parseInt(parts[2]);
    variant = parts[3];
    kernels = new ReferenceKernels(loops.equals("plain") ? MatmulRows.plain() : MatmulRows.best());
    Random random = new Random(1);
    a = new float[m * k];
    b = new float[k * n];
    c = new float[m * n];
    for (int i = 0; i < a.length; i++) {
      a[i] = random.nextFloat() - 0.5f;
    }
    for (int i = 0; i < b.length; i++) {
      b[i] = random.nextFloat() - 0.5f;
    }
  }

  @Benchmark
  public float[] matmul() {
    switch (variant) {
      case "tn" -> kernels.matmulTransposeA(m, n, k, 1f, a, b, c);
      case "nt" -> kernels.matmulTransposeB(m, n, k, 1f, a, b, c);
      default -> kernels.matmul(m, n, k, 1f, a, b, c);
    }
    return c;
  }
}
