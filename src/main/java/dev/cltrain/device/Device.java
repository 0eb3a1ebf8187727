package dev.cltrain.device;

import dev.cltrain.backend.Backend;
import java.util.Map;

/**
 * Where kernels run: the Java reference, or one OpenCL device. A device is an immutable value that holds no
 * resources; what runs on it ({@link Trainer}, a training run, a model's forward pass) opens its own buffers
 * and is {@link AutoCloseable}. Get devices from {@link dev.cltrain.Devices}.
 *
 * <p>A new kind of backend is an implementation of this interface (see {@code dev.cltrain.reference.ReferenceDevice}
 * and {@code dev.cltrain.opencl.OpenClDevice}) whose {@link #openBackend} gives its implementation of the kernel
 * contract, its devices in {@code dev.cltrain.Devices}, and its devices in the tests' one list of backends:
 * docs/CONTRIBUTING.md has the files and the tests that then run on it.
 *
 * <p>Thread-safe: implementations are immutable.
 */
public interface Device {
  /** The kinds of device; {@link #REFERENCE} is the Java reference, which runs on the host CPU. */
  enum Type {
    /** The plain-Java reference: every kernel as a Java loop. */
    REFERENCE,
    /** An OpenCL GPU. */
    GPU,
    /** An OpenCL CPU device (e.g. PoCL). */
    CPU,
    /** An OpenCL accelerator. */
    ACCELERATOR,
    /** Any other OpenCL device type. */
    OTHER
  }

  /** {@return the id users type: {@code reference}, or {@code cl:P:D} for device D of OpenCL platform P} */
  String id();

  /** {@return a human name, e.g. "Java reference" or "pthread-skylake-avx512-Intel(R) Xeon(R) Processor"} */
  String name();

  /** {@return what kind of device this is} */
  Type type();

  /** {@return whether this is the Java reference} */
  default boolean isReference() {
    return type() == Type.REFERENCE;
  }

  /** {@return parallel compute units: OpenCL's CL_DEVICE_MAX_COMPUTE_UNITS, or the JVM's processors} */
  int computeUnits();

  /** {@return memory for buffers in bytes: OpenCL's CL_DEVICE_GLOBAL_MEM_SIZE, or the JVM's maximum heap} */
  long memoryBytes();

  /** {@return the largest single buffer in bytes: OpenCL's CL_DEVICE_MAX_MEM_ALLOC_SIZE; {@link #memoryBytes} here} */
  default long largestBufferBytes() {
    return memoryBytes();
  }

  /**
   * Whether the device has a hardware fused multiply-add for float: on OpenCL, {@code CL_FP_FMA} in
   * {@code CL_DEVICE_SINGLE_FP_CONFIG} (without it {@code fma()} runs in software, exact but slow); the Java
   * reference says yes (the JVM does not tell; {@code Math.fma} is one instruction on x86 with FMA3 and on AArch64).
   *
   * @return true unless the device says it has no fast fused multiply-add
   */
  default boolean fastFma() {
    return true;
  }

  /**
   * Further facts as {@code cltrain devices --json} prints them (OpenCL version, platform, vendor, driver,
   * fp64, correctly rounded division, fused multiply-add, largest buffer, work-group and local memory sizes).
   *
   * @return the facts by name, insertion-ordered
   */
  Map<String, Object> properties();

  /** {@return the device in one line, e.g. "cl:0:0 pthread-skylake (Portable Computing Language)"} */
  default String describe() {
    return id() + " " + name();
  }

  /**
   * Refuses, before anything is allocated, work whose buffers do not fit this device.
   *
   * @param bytes   device memory the buffers need together
   * @param largest the largest single buffer in bytes
   * @throws dev.cltrain.core.DeviceException naming the bytes needed and the device's limit
   */
  void checkFits(long bytes, long largest);

  /**
   * Opens the kernels on this device with fresh buffers: the service provider interface that trainers and
   * forward passes are built on. Programs use {@link dev.cltrain.Training} and {@link dev.cltrain.Model} instead. The caller owns the
   * backend and must close it.
   *
   * @param profiling time every kernel (profiling events on OpenCL, wall time per call on the reference)
   * @return the kernels and the memory they work on
   * @throws dev.cltrain.core.DeviceException when the kernels cannot be built or the device cannot be used
   */
  Backend<?, ?> openBackend(boolean profiling);
}
