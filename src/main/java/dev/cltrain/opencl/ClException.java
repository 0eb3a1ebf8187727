package dev.cltrain.opencl;

import org.jocl.CL;
import org.jocl.CLException;

/**
 * An OpenCL call that failed: names the call, the object it was made on and the CL error constant
 * (e.g. {@code clEnqueueNDRangeKernel(matmul) failed: CL_OUT_OF_RESOURCES}). Build failures carry the build log.
 */
public final class ClException extends dev.cltrain.core.DeviceException {
  private static final long serialVersionUID = 1L;
  /** The OpenCL status code, e.g. {@link CL#CL_OUT_OF_RESOURCES}. */
  public final int status;

  ClException(String call, CLException cause) {
    super(call + " failed: " + cause.getMessage(), cause);
    this.status = cause.getStatus();
  }

  ClException(String call, int status, String detail) {
    super(call + " failed: " + CL.stringFor_errorCode(status) + (detail.isEmpty() ? "" : "\n" + detail));
    this.status = status;
  }

  private ClException(String message, int status) {
    super(message);
    this.status = status;
  }

  /** A failure whose status has its own name (a library on top of OpenCL, e.g. CLBlast's status codes). */
  static ClException named(String call, int status, String name) {
    return new ClException(call + " failed: " + name, status);
  }

  /**
   * The CL error constant's name.
   *
   * @return e.g. {@code CL_BUILD_PROGRAM_FAILURE}, as JOCL names {@link #status}
   */
  public String statusName() {
    return CL.stringFor_errorCode(status);
  }

  interface Call<T> {
    T run();
  }

  /** Runs one JOCL call, turning its {@link CLException} into a {@link ClException} that names {@code call}. */
  static <T> T check(String call, Call<T> body) {
    try {
      return body.run();
    } catch (CLException e) {
      throw new ClException(call, e);
    }
  }

  static void checkVoid(String call, Runnable body) {
    check(call, () -> {
      body.run();
      return null;
    });
  }
}
