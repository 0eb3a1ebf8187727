package dev.cltrain.opencl;

import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/**
 * One OpenCL device as discovery found it: its place ({@code cl:P:D}) and the facts {@code cltrain devices} prints.
 *
 * @param platformIndex   P in {@code cl:P:D}
 * @param deviceIndex     D in {@code cl:P:D}
 * @param type            GPU, CPU, ACCELERATOR or OTHER
 * @param globalMemBytes  CL_DEVICE_GLOBAL_MEM_SIZE
 * @param maxAllocBytes   CL_DEVICE_MAX_MEM_ALLOC_SIZE, the largest single buffer
 * @param maxWorkGroup    CL_DEVICE_MAX_WORK_GROUP_SIZE
 * @param localMemBytes   CL_DEVICE_LOCAL_MEM_SIZE
 * @param openclVersion   CL_DEVICE_VERSION, e.g. "OpenCL 3.0 PoCL ..."
 * @param correctlyRoundedDivideSqrt CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT in CL_DEVICE_SINGLE_FP_CONFIG: the
 *     device can build with -cl-fp32-correctly-rounded-divide-sqrt, making float / and sqrt IEEE-exact
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
    cl_platform_id platform,
    cl_device_id id) {

  /** The device kinds that {@code --device gpu|cpu} and {@code auto} choose between. */
  public enum Type { GPU, CPU, ACCELERATOR, OTHER }

  /** The stable id users type: {@code cl:P:D}. */
  public String ref() {
    return "cl:" + platformIndex + ":" + deviceIndex;
  }

  /** "OpenCL 3.0" out of "OpenCL 3.0 PoCL HSTR: ...". */
  public String shortVersion() {
    String[] parts = openclVersion.trim().split("\\s+");
    return parts.length >= 2 ? parts[1] : openclVersion.trim();
  }

  @Override
  public String toString() {
    return ref() + " " + name + " (" + platformName + ")";
  }
}
