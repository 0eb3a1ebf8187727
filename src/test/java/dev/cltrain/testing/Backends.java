package dev.cltrain.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cltrain.device.Device;
import dev.cltrain.Devices;
import dev.cltrain.backend.Backend;
import dev.cltrain.backend.Kernels;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The backends the conformance suite runs on, typed on the kernel contract ({@link Device}, whose
 * {@link Device#openBackend} gives the {@link Kernels}): the Java reference, then every OpenCL device present
 * (with CI=true, finding none is a failure, as {@link OpenClDevices}). A new backend inherits every test that takes
 * its devices from here by adding itself to {@link #all()}, the one list.
 *
 * <p>What stays typed on OpenCL, because it tests OpenCL itself: KernelSignatureTest (the .cl sources' argument
 * names), the update-chunk build option in KernelsVsReferenceTest, the opencl package's tests (program builds,
 * matmul plans and tuner, Oclgrind, discovery, JVM signals), ResourceHygieneTest (OpenCL object counts),
 * StopAfterBatchTest (enqueue timing), SmallNetTest's local-memory sizing, and the CLI tests about OpenCL devices
 * (FirstUseCheckTest, VerifyCommandTest, DevicesCommandTest, DevicesAutoTest, the bench tests,
 * MultiDeviceCliTest, OpenClLoaderTest, JvmSignalsCacheTest, PlainJavaJarIT).
 */
public final class Backends {
  private Backends() {}

  /** {@return the Java reference, then each OpenCL device in platform order, for {@code @MethodSource}} */
  public static List<Device> all() {
    List<Device> all = new ArrayList<>();
    all.add(Devices.reference());
    if (Devices.openCl().isEmpty() && OpenClDevices.ci()) {
      OpenClDevices.all(); // fails, with the reason
    }
    all.addAll(Devices.openCl());
    return List.copyOf(all);
  }

  /**
   * Every backend of {@link #all()} but the reference, for tests that judge a backend by the reference's bits
   * (the reference judged by itself would check nothing). Without any, the test is skipped with the reason (a
   * failure under CI=true, from {@link #all()}).
   *
   * @return the devices to compare with the reference, at least one
   */
  public static List<Device> others() {
    List<Device> others = all().stream().filter(d -> !d.isReference()).toList();
    assumeTrue(!others.isEmpty(), "no backend but the reference: " + Devices.openClProblem());
    return others;
  }

  /** One kernel call on buffers of a backend, whatever its buffer type. */
  public interface Op {
    /**
     * Calls the kernel(s).
     *
     * @param k       the backend's kernels
     * @param buffers the buffers uploaded, in the order given
     */
    void run(Kernels<Object, Object> k, List<Object> buffers);
  }

  /**
   * Uploads {@code inputs}, runs {@code op}, downloads the first {@code length} floats of buffer {@code out}, and
   * frees the buffers it made.
   *
   * @return the downloaded floats
   */
  @SuppressWarnings("unchecked")
  public static float[] run(Backend<?, ?> backend, Op op, int out, int length, float[]... inputs) {
    Backend<Object, Object> k = (Backend<Object, Object>) backend;
    List<Object> buffers = new ArrayList<>();
    try {
      for (float[] in : inputs) {
        buffers.add(k.upload(in));
      }
      op.run(k, buffers);
      float[] result = new float[length];
      if (length > 0) {
        k.download(buffers.get(out), result);
      }
      return result;
    } finally {
      buffers.forEach(Backends::free);
    }
  }

  /** Frees a buffer that holds device memory (an OpenCL buffer); the reference's arrays need nothing. */
  public static void free(Object buffer) {
    if (buffer instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (Exception e) {
        throw new IllegalStateException("cannot free " + buffer, e);
      }
    }
  }

  /** The backends a test class has opened, one per device, closed together (from {@code @AfterAll}). */
  public static final class Opened implements AutoCloseable {
    private final Map<String, Backend<?, ?>> open = new LinkedHashMap<>();

    /** {@return the device's backend, opened on first use} */
    public synchronized Backend<?, ?> on(Device device) {
      return open.computeIfAbsent(device.id(), id -> device.openBackend(false));
    }

    @Override
    public synchronized void close() {
      open.values().forEach(Backend::close);
      open.clear();
    }
  }
}
