package dev.cltrain.reference;

import dev.cltrain.backend.AdamConstants;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The reference's element-wise kernels at the Fashion-MNIST MLP's sizes (batch 128). Run with scripts/jmh. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class ReferenceKernelsBenchmark {
  private final ReferenceKernels kernels = new ReferenceKernels();
  private float[] z;
  private float[] bias;
  private float[] a;
  private float[] dw;
  private float[] m;
  private float[] v;
  private float[] w;
  private float[] source;
  private float[] target;
  private int[] order;

  @Setup
  public void setUp() {
    Random r = new Random(2);
    z = random(r, 128 * 256);
    bias = random(r, 256);
    a = new float[128 * 256];
    dw = random(r, 200704);
    m = random(r, 200704);
    v = random(r, 200704);
    for (int i = 0; i < v.length; i++) {
      v[i] = Math.abs(v[i]);
    }
    w = random(r, 200704);
    source = random(r, 1000 * 784);
    target = new float[128 * 784];
    order = new int[1000];
    for (int i = 0; i < order.length; i++) {
      order[i] = r.nextInt(1000);
    }
  }

  private static float[] random(Random r, int n) {
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = r.nextFloat() - 0.5f;
    }
    return x;
  }

  @Benchmark
  public float[] biasActivationRelu128x256() {
    kernels.biasActivation(128, 256, 3, z, bias, a);
    return a;
  }

  @Benchmark
  public float[] adamUpdate784x256() {
    kernels.adamUpdate(200704, 0.001f, AdamConstants.DEFAULT, 0f, 0.1f, 0.001f, dw, m, v, w);
    return w;
  }

  @Benchmark
  public float[] gatherRows128of784() {
    kernels.gatherRows(128, 784, 17, order, source, target);
    return target;
  }
}
