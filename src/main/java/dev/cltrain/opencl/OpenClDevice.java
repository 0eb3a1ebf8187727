package dev.cltrain.opencl;

import dev.cltrain.device.Device;
import dev.cltrain.core.DeviceException;
import dev.cltrain.backend.Backend;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One OpenCL device as a {@link Device}: the facts discovery found ({@link ClDevice}) and the kernel sources
 * to build there (the jar's, or a folder given with {@code --kernels}).
 *
 * @param info   the device as discovery found it
 * @param source where the {@code .cl} files are read from
 */
public record OpenClDevice(ClDevice info, KernelSource source) implements Device {
  /**
   * The device with the kernel sources inside the jar.
   *
   * @param info the device as discovery found it
   */
  public OpenClDevice(ClDevice info) {
    this(info, KernelSource.classpath());
  }

  /**
   * The same device building the kernels from {@code other}.
   *
   * @param other where the {@code .cl} files are read from instead, e.g. a {@code --kernels} folder
   * @return a new device value; this one is unchanged
   */
  public OpenClDevice withSource(KernelSource other) {
    return new OpenClDevice(info, other);
  }

  @Override
  public String id() {
    return info.ref();
  }

  @Override
  public String name() {
    return info.name();
  }

  @Override
  public Type type() {
    return switch (info.type()) {
      case GPU -> Type.GPU;
      case CPU -> Type.CPU;
      case ACCELERATOR -> Type.ACCELERATOR;
      case OTHER -> Type.OTHER;
    };
  }

  @Override
  public int computeUnits() {
    return info.computeUnits();
  }

  @Override
  public long memoryBytes() {
    return info.globalMemBytes();
  }

  @Override
  public long largestBufferBytes() {
    return info.maxAllocBytes();
  }

  @Override
  public Map<String, Object> properties() {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("openclVersion", info.openclVersion());
    p.put("platform", info.platformName());
    p.put("vendor", info.vendor());
    p.put("driverVersion", info.driverVersion());
    p.put("fp64", info.fp64());
    p.put("correctlyRoundedDivideSqrt", info.correctlyRoundedDivideSqrt());
    p.put("fma", info.fma());
    p.put("maxAllocBytes", info.maxAllocBytes());
    p.put("maxWorkGroupSize", info.maxWorkGroup());
    p.put("localMemBytes", info.localMemBytes());
    int[] widths = info.floatVectorWidths();
    p.put("preferredFloatVector", widths[0]);
    p.put("nativeFloatVector", widths[1]);
    List<MatmulPlan> plans = MatmulPlan.known(info);
    p.put("matmulPlans", plans.stream().map(MatmulPlan::spec).toList());
    p.put("matmulVector", plans.isEmpty() ? null : plans.stream().map(MatmulPlan::vectorType).distinct()
        .collect(java.util.stream.Collectors.joining(", ")));
    ConvPlan conv = ConvPlan.known(info);
    p.put("convPlan", conv == null ? null : conv.spec());
    return p;
  }

  @Override
  public boolean fastFma() {
    return info.fma();
  }

  @Override
  public String describe() {
    return info.toString();
  }

  @Override
  public void checkFits(long bytes, long largest) {
    if (bytes > info.globalMemBytes()) {
      throw new DeviceException("the network and data need " + bytes + " bytes of device memory but "
          + info.ref() + " has " + info.globalMemBytes());
    }
    if (largest > info.maxAllocBytes()) {
      throw new DeviceException(dev.cltrain.core.Wording.of("the largest buffer needs " + largest + " bytes but "
          + info.ref() + " allocates at most " + info.maxAllocBytes() + " bytes at once (try a smaller ",
          dev.cltrain.core.Wording.param("batchSize"), ")"));
    }
  }

  @Override
  public Backend<ClBuffer, ClBuffer> openBackend(boolean profiling) {
    return new OpenClKernels(info, source, profiling);
  }

  /**
   * What the first-use check's verdict is cached under: the device and its driver ({@link MatmulTuner#key}),
   * a SHA-256 of the kernel sources as built (prelude and pragmas included), and {@code CLTRAIN_MATMUL} when set.
   *
   * @return e.g. "Portable Computing Language | pthread-... | 3.1+debian | OpenCL 3.0 ... | kernels 3f2a..."
   * @throws dev.cltrain.core.InputException when a {@code --kernels} folder lacks a file
   */
  public String checkKey() {
    java.security.MessageDigest sha;
    try {
      sha = java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
    for (String file : OpenClKernels.FILES) {
      sha.update(file.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(ClProgram.assemble(source, file).getBytes(java.nio.charset.StandardCharsets.UTF_8));
      sha.update((byte) 0);
    }
    String plan = System.getenv(MatmulPlan.ENVIRONMENT);
    return MatmulTuner.key(info) + " | kernels " + java.util.HexFormat.of().formatHex(sha.digest(), 0, 16)
        + (plan == null || plan.isBlank() ? "" : " | " + MatmulPlan.ENVIRONMENT + "=" + plan.strip());
  }

  @Override
  public String toString() {
    return describe();
  }
}
