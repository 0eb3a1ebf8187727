package dev.cltrain.reference;

import dev.cltrain.core.Wording;
import dev.cltrain.device.Device;
import dev.cltrain.core.DeviceException;
import dev.cltrain.backend.Backend;
import dev.cltrain.backend.Profiled;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Java reference as a {@link Device}: every kernel is a plain Java loop ({@link ReferenceKernels}) on
 * Java arrays. Always available; needs no OpenCL.
 */
public final class ReferenceDevice implements Device {
  /** The reference's id, as users type it. */
  public static final String ID = "reference";

  /** The one reference device. */
  public static final ReferenceDevice INSTANCE = new ReferenceDevice();

  private ReferenceDevice() {}

  @Override
  public String id() {
    return ID;
  }

  @Override
  public String name() {
    return "Java reference";
  }

  @Override
  public Type type() {
    return Type.REFERENCE;
  }

  @Override
  public int computeUnits() {
    return Runtime.getRuntime().availableProcessors();
  }

  @Override
  public long memoryBytes() {
    return Runtime.getRuntime().maxMemory();
  }

  @Override
  public Map<String, Object> properties() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("java", System.getProperty("java.version"));
    p.put("matmul", MatmulRows.best().describe());
    p.put("matmulVector", MatmulRows.best().lanes() > 1 ? "float" + MatmulRows.best().lanes() : "scalar");
    p.put("fp64", true);
    p.put("fma", true);
    return p;
  }

  /** The most elements a Java array may hold (a few below Integer.MAX_VALUE, for the JVM's array header). */
  public static final long MAX_ARRAY_ELEMENTS = Integer.MAX_VALUE - 8;

  /**
   * Refuses work whose float arrays cannot exist: more bytes than the Java heap's limit
   * ({@code Runtime.maxMemory()}, set with {@code -Xmx}), or one buffer of more elements than a Java array holds.
   * A run that passes may still exhaust the heap (the data and other objects live there too); that shows as
   * cltrain's out-of-memory message.
   */
  @Override
  public void checkFits(long bytes, long largest) {
    long heap = Runtime.getRuntime().maxMemory();
    if (bytes > heap) {
      throw new DeviceException(Wording.of("the network and data need " + bytes + " bytes of memory but the Java "
          + "reference's heap holds at most " + heap + " (give java a larger -Xmx, or use a smaller ",
          Wording.param("batchSize"), ", ", Wording.param("layers"), " or data)"));
    }
    if (largest / 4 > MAX_ARRAY_ELEMENTS) {
      throw new DeviceException(Wording.of("the largest buffer needs " + largest + " bytes (" + largest / 4
          + " floats) but a Java array holds at most " + MAX_ARRAY_ELEMENTS + " elements (try a smaller ",
          Wording.param("batchSize"), ")"));
    }
  }

  @Override
  public Backend<float[], int[]> openBackend(boolean profiling) {
    ReferenceKernels kernels = ReferenceKernels.opened();
    return profiling ? Profiled.wrap(kernels) : kernels;
  }

  @Override
  public String toString() {
    return describe();
  }
}
