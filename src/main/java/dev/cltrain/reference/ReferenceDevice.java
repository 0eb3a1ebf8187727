package dev.cltrain.reference;

import dev.cltrain.Device;
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
    p.put("fp64", true);
    return p;
  }

  /** Nothing to check here: the Java heap's limit shows as an OutOfMemoryError when it is reached. */
  @Override
  public void checkFits(long bytes, long largest) {}

  @Override
  public Backend<float[], int[]> openBackend(boolean profiling) {
    ReferenceKernels kernels = new ReferenceKernels();
    return profiling ? Profiled.wrap(kernels) : kernels;
  }

  @Override
  public String toString() {
    return describe();
  }
}
