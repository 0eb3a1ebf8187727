package dev.cltrain.opencl;

import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * One OpenCL device as discovery found it: its place ({@code cl:P:D}) and the facts {@code cltrain devices} prints.
 *
 * @param platformIndex   P in {@code cl:P:D}
 * @param deviceIndex     D in {@code cl:P:D}
 * @param platformName    CL_PLATFORM_NAME, e.g. "Portable Computing Language"
 * @param name            CL_DEVICE_NAME
 * @param vendor          CL_DEVICE_VENDOR
 * @param type            GPU, CPU, ACCELERATOR or OTHER
 * @param computeUnits    CL_DEVICE_MAX_COMPUTE_UNITS
 * @param globalMemBytes  CL_DEVICE_GLOBAL_MEM_SIZE
 * @param maxAllocBytes   CL_DEVICE_MAX_MEM_ALLOC_SIZE, the largest single buffer
 * @param maxWorkGroup    CL_DEVICE_MAX_WORK_GROUP_SIZE
 * @param localMemBytes   CL_DEVICE_LOCAL_MEM_SIZE
 * @param openclVersion   CL_DEVICE_VERSION, e.g. "OpenCL 3.0 PoCL ..."
 * @param driverVersion   CL_DRIVER_VERSION
 * @param fp64            whether CL_DEVICE_DOUBLE_FP_CONFIG is non-zero: the device has double precision
 * @param correctlyRoundedDivideSqrt CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT in CL_DEVICE_SINGLE_FP_CONFIG: the
 *     device can build with -cl-fp32-correctly-rounded-divide-sqrt, making float / and sqrt IEEE-exact
 * @param fma             CL_FP_FMA in CL_DEVICE_SINGLE_FP_CONFIG: the device has a hardware fused multiply-add for
 *     float; without it fma() is done in software, exact but slow
 * @param platform        the platform's handle
 * @param id              the device's handle, for creating contexts
 */
public record ClDevice(
    int platformIndex,
    int deviceIndex,
    String platformName,
    String name,
    String vendor,
    Type type,
    int computeUnits,
    long globalMemBytes,
    long maxAllocBytes,
    long maxWorkGroup,
    long localMemBytes,
    String openclVersion,
    String driverVersion,
    boolean fp64,
    boolean correctlyRoundedDivideSqrt,
    boolean fma,
    cl_platform_id platform,
    cl_device_id id) {

  /** The device kinds that {@code --device gpu|cpu} and {@code auto} choose between. */
  public enum Type {
    /** CL_DEVICE_TYPE_GPU. */
    GPU,
    /** CL_DEVICE_TYPE_CPU, e.g. PoCL's pthread device. */
    CPU,
    /** CL_DEVICE_TYPE_ACCELERATOR (when not also a GPU). */
    ACCELERATOR,
    /** None of the above, e.g. CL_DEVICE_TYPE_CUSTOM. */
    OTHER
  }

  /**
   * The stable id users type.
   *
   * @return {@code cl:P:D}, e.g. {@code cl:0:0}
   */
  public String ref() {
    return "cl:" + platformIndex + ":" + deviceIndex;
  }

  /**
   * Whether this is a simulator rather than hardware: Oclgrind (platform "Oclgrind", device "Oclgrind Simulator")
   * calls itself a GPU but interprets every work-item, thousands of times slower than a device, so {@code auto}
   * and {@code gpu} never take it; its {@code cl:P:D} still does.
   *
   * @return true when the platform or device name says Oclgrind
   */
  public boolean simulator() {
    return (platformName + " " + name).toLowerCase(java.util.Locale.ROOT).contains("oclgrind");
  }

  /**
   * Whether cltrain's kernels compute the Java reference's bits here: the device rounds division and sqrt
   * correctly (built with -cl-fp32-correctly-rounded-divide-sqrt) and has a hardware fused multiply-add (the
   * products' fma(); without one they multiply and add separately, see ProgramOptions#multiplyAdd). Elsewhere
   * the kernels are judged by tolerance.
   *
   * @return true when bit equality with the reference is the judgement
   */
  public boolean roundsAsTheReference() {
    return correctlyRoundedDivideSqrt && fma;
  }

  /**
   * The OpenCL version without the vendor's detail.
   *
   * @return "3.0" out of "OpenCL 3.0 PoCL HSTR: ..." (the second word; the whole string when it has one word)
   */
  public String shortVersion() {
    String[] parts = openclVersion.trim().split("\\s+");
    return parts.length >= 2 ? parts[1] : openclVersion.trim();
  }

  /**
   * The float vector widths the device reports: CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT (what the vendor advises
   * kernels to use) and CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT (the width of its SIMD registers in floats: 16 with
   * AVX-512, 8 with AVX2). PoCL derives both from the host's CPU features, not from the CPU it compiles for, so a
   * PoCL made to compile for another CPU (POCL_KERNELLIB_NAME=avx2 on an AVX-512 host) still says 16.
   *
   * @return {preferred, native}; {0, 0} for a device without a handle (made up in tests) or that does not say
   */
  public int[] floatVectorWidths() {
    if (id == null) {
      return new int[] {0, 0};
    }
    return new int[] {(int) ClRuntime.deviceLong(id, org.jocl.CL.CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT, org.jocl.Sizeof.cl_uint),
        (int) ClRuntime.deviceLong(id, org.jocl.CL.CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT, org.jocl.Sizeof.cl_uint)};
  }

  @Override
  public String toString() {
    return ref() + " " + name + " (" + platformName + ")";
  }
}
