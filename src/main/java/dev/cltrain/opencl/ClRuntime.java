package dev.cltrain.opencl;

import static org.jocl.CL.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;
import org.slf4j.LoggerFactory;

/**
 * Discovery: every OpenCL platform and device, or the reason there are none. The only class that loads
 * JOCL's native library; a missing OpenCL loader ({@code libOpenCL.so}) or an ICD with no platform is
 * "no devices" with a reason, never an exception.
 */
public final class ClRuntime {
  /**
   * What discovery found: the devices in platform order, and why the list is empty when it is.
   *
   * @param devices every device of every platform, in platform then device order; empty when none
   * @param problem why there are no devices (e.g. "no OpenCL platform is installed"), or null when there are
   * @param warning the platforms left out because listing or describing their devices failed, each named with
   *                the call and the CL error constant, while other platforms' devices are listed; else null
   */
  public record Discovery(List<ClDevice> devices, String problem, String warning) {
    /**
     * A discovery with no platform left out.
     *
     * @param devices every device, in platform then device order
     * @param problem why there are none, or null
     */
    public Discovery(List<ClDevice> devices, String problem) {
      this(devices, problem, null);
    }

    /**
     * Whether OpenCL has any device here.
     *
     * @return true when {@code problem} is null, so {@code devices} is not empty
     */
    public boolean available() {
      return problem == null;
    }
  }

  /**
   * CL_DEVICE_TYPE_ALL as the 64-bit bitfield the specification defines (0xFFFFFFFF). JOCL's constant is the int
   * literal 0xFFFFFFFF, which widens to a long with every bit set; Mesa's Rusticl rightly refuses that with
   * CL_INVALID_DEVICE_TYPE.
   */
  static final long DEVICE_TYPE_ALL = 0xFFFFFFFFL;

  private static Discovery cached;

  private ClRuntime() {}

  /**
   * All OpenCL devices, discovered once per process; never throws for a missing or broken OpenCL.
   *
   * @return the devices, or the reason there are none
   */
  public static synchronized Discovery discover() {
    if (cached == null) {
      cached = discoverNow();
    }
    return cached;
  }

  private static Discovery discoverNow() {
    JvmSignals.save(); // before the driver first loads: the handlers in force now are the JVM's
    Discovery discovery;
    try {
      discovery = discoverDevices();
    } finally {
      JvmSignals.restore("OpenCL platform discovery");
    }
    if (discovery.warning() != null) {
      LoggerFactory.getLogger(ClRuntime.class).warn(discovery.warning()); // once: discovery runs once per process
    }
    return discovery;
  }

  private static Discovery discoverDevices() {
    try {
      loadJocl();
    } catch (LinkageError e) {
      return new Discovery(List.of(), "the OpenCL library " + System.mapLibraryName("OpenCL") + " could not be loaded ("
          + firstLine(e.getMessage()) + ")");
    }
    try {
      int[] count = new int[1];
      clGetPlatformIDs(0, null, count);
      cl_platform_id[] platforms = new cl_platform_id[count[0]];
      if (platforms.length > 0) {
        clGetPlatformIDs(platforms.length, platforms, null);
      }
      return collect(new Platforms() {
        @Override
        public int count() {
          return platforms.length;
        }

        @Override
        public String name(int p) {
          return ClException.check("clGetPlatformInfo", () -> platformString(platforms[p], CL_PLATFORM_NAME));
        }

        @Override
        public List<ClDevice> devices(int p, String name) {
          cl_device_id[] ids = ClException.check("clGetDeviceIDs", () -> devicesOf(platforms[p]));
          List<ClDevice> devices = new ArrayList<>();
          for (int d = 0; d < ids.length; d++) {
            cl_device_id id = ids[d];
            int index = d;
            devices.add(ClException.check("clGetDeviceInfo", () -> describe(p, index, name, platforms[p], id)));
          }
          return devices;
        }
      });
    } catch (CLException e) {
      if (e.getStatus() == CL_PLATFORM_NOT_FOUND_KHR) {
        return new Discovery(List.of(), "no OpenCL platform is installed (CL_PLATFORM_NOT_FOUND_KHR)");
      }
      return new Discovery(List.of(), "OpenCL discovery failed: " + firstLine(e.getMessage()));
    } catch (LinkageError e) {
      return new Discovery(List.of(), "the OpenCL library could not be loaded (" + firstLine(e.getMessage()) + ")");
    }
  }

  /**
   * The installed platforms as discovery reads them: a seam, so that a test can make one platform fail as no
   * real driver does on demand. Each method throws {@link ClException} naming the OpenCL call that failed.
   */
  interface Platforms {
    /** {@return how many platforms the ICD loader lists} */
    int count();

    /**
     * @param p the platform's index
     * @return its CL_PLATFORM_NAME
     */
    String name(int p);

    /**
     * @param p    the platform's index
     * @param name its name
     * @return its devices, in order; empty when it has none (CL_DEVICE_NOT_FOUND)
     */
    List<ClDevice> devices(int p, String name);
  }

  /**
   * Every platform's devices. A platform whose name or devices cannot be read (Mesa's Clover or Rusticl
   * refusing a call, a broken vendor driver) is left out and named in {@link Discovery#warning()}; the other
   * platforms' devices keep their {@code cl:P:D}. Only when no platform has a device is that a problem.
   */
  static Discovery collect(Platforms platforms) {
    int count = platforms.count();
    if (count == 0) {
      return new Discovery(List.of(), "no OpenCL platform is installed");
    }
    List<ClDevice> devices = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    for (int p = 0; p < count; p++) {
      String label = "platform " + p;
      try {
        String name = platforms.name(p);
        label += " (" + name + ")";
        devices.addAll(platforms.devices(p, name));
      } catch (ClException e) {
        failed.add(label + ": " + firstLine(e.getMessage()));
      }
    }
    String failures = failed.isEmpty() ? null : String.join("; ", failed);
    if (devices.isEmpty()) {
      return new Discovery(List.of(), failures == null ? "the OpenCL platforms have no devices"
          : "OpenCL discovery failed: " + failures);
    }
    return new Discovery(List.copyOf(devices), null,
        failures == null ? null : "left out OpenCL " + failures + "; the other platforms' devices are listed");
  }

  /**
   * Loads JOCL (the static initialiser of {@link CL}) without its native log: where libOpenCL.so is missing,
   * JOCL's native code prints "Could not load libOpenCL.so, error ..." on stdout, into the program's output,
   * when the discovery's warning says it already. JOCL logs "Trying library candidate: ..." (java.util.logging,
   * logger org.jocl.LibTracker, level FINE) right before it tries, once its own native library is loaded: a
   * handler on that logger sets the native log level to quiet then, and it is set back to errors (JOCL's
   * default) once loaded. JOCL's own records go where they went before.
   */
  private static void loadJocl() {
    Logger tracker = Logger.getLogger("org.jocl.LibTracker");
    Level level = tracker.getLevel();
    Handler quiet = new Handler() {
      @Override
      public void publish(LogRecord record) {
        String message = record.getMessage();
        if (message != null && message.startsWith("Trying library candidate")) {
          try {
            CL.setLogLevel(CL.LogLevel.LOG_QUIET); // CL is being initialised by this thread: allowed, not a deadlock
          } catch (LinkageError e) {
            // JOCL's own library is not loaded after all: nothing to quieten
          }
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    quiet.setLevel(Level.FINE);
    if (!tracker.isLoggable(Level.FINE)) {
      tracker.setLevel(Level.FINE); // its records still reach the parents' handlers, which drop FINE by default
    }
    tracker.addHandler(quiet);
    try {
      CL.setExceptionsEnabled(true);
    } finally {
      tracker.removeHandler(quiet);
      tracker.setLevel(level);
    }
    CL.setLogLevel(CL.LogLevel.LOG_ERROR);
  }

  private static cl_device_id[] devicesOf(cl_platform_id platform) {
    int[] count = new int[1];
    try {
      clGetDeviceIDs(platform, DEVICE_TYPE_ALL, 0, null, count);
    } catch (CLException e) {
      if (e.getStatus() == CL_DEVICE_NOT_FOUND) {
        return new cl_device_id[0];
      }
      throw e;
    }
    cl_device_id[] ids = new cl_device_id[count[0]];
    clGetDeviceIDs(platform, DEVICE_TYPE_ALL, ids.length, ids, null);
    return ids;
  }

  private static ClDevice describe(int p, int d, String platformName, cl_platform_id platform, cl_device_id id) {
    long type = deviceLong(id, CL_DEVICE_TYPE, Sizeof.cl_ulong);
    ClDevice.Type kind = (type & CL_DEVICE_TYPE_GPU) != 0 ? ClDevice.Type.GPU
        : (type & CL_DEVICE_TYPE_ACCELERATOR) != 0 ? ClDevice.Type.ACCELERATOR
        : (type & CL_DEVICE_TYPE_CPU) != 0 ? ClDevice.Type.CPU
        : ClDevice.Type.OTHER;
    return new ClDevice(p, d, platformName,
        deviceString(id, CL_DEVICE_NAME),
        deviceString(id, CL_DEVICE_VENDOR),
        kind,
        (int) deviceLong(id, CL_DEVICE_MAX_COMPUTE_UNITS, Sizeof.cl_uint),
        deviceLong(id, CL_DEVICE_GLOBAL_MEM_SIZE, Sizeof.cl_ulong),
        deviceLong(id, CL_DEVICE_MAX_MEM_ALLOC_SIZE, Sizeof.cl_ulong),
        deviceLong(id, CL_DEVICE_MAX_WORK_GROUP_SIZE, Sizeof.size_t),
        deviceLong(id, CL_DEVICE_LOCAL_MEM_SIZE, Sizeof.cl_ulong),
        deviceString(id, CL_DEVICE_VERSION),
        deviceString(id, CL_DRIVER_VERSION),
        deviceLong(id, CL_DEVICE_DOUBLE_FP_CONFIG, Sizeof.cl_ulong) != 0,
        (deviceLong(id, CL_DEVICE_SINGLE_FP_CONFIG, Sizeof.cl_ulong) & CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT) != 0,
        (deviceLong(id, CL_DEVICE_SINGLE_FP_CONFIG, Sizeof.cl_ulong) & CL_FP_FMA) != 0,
        platform, id);
  }

  private static String platformString(cl_platform_id platform, int param) {
    long[] size = new long[1];
    clGetPlatformInfo(platform, param, 0, null, size);
    byte[] bytes = new byte[(int) size[0]];
    clGetPlatformInfo(platform, param, bytes.length, Pointer.to(bytes), null);
    return cString(bytes);
  }

  static String deviceString(cl_device_id id, int param) {
    long[] size = new long[1];
    clGetDeviceInfo(id, param, 0, null, size);
    byte[] bytes = new byte[(int) size[0]];
    clGetDeviceInfo(id, param, bytes.length, Pointer.to(bytes), null);
    return cString(bytes);
  }

  /** Reads an unsigned integer device property of {@code width} bytes (cl_uint, cl_ulong or size_t). */
  static long deviceLong(cl_device_id id, int param, int width) {
    ByteBuffer buffer = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
    try {
      clGetDeviceInfo(id, param, width, Pointer.to(buffer), null);
    } catch (CLException e) {
      if (e.getStatus() == CL_INVALID_VALUE) {
        return 0; // property unknown to this device, e.g. CL_DEVICE_DOUBLE_FP_CONFIG on OpenCL 1.0
      }
      throw e;
    }
    return width == 4 ? Integer.toUnsignedLong(buffer.getInt(0)) : buffer.getLong(0);
  }

  private static String cString(byte[] bytes) {
    int end = 0;
    while (end < bytes.length && bytes[end] != 0) {
      end++;
    }
    return new String(bytes, 0, end, StandardCharsets.UTF_8).trim();
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "no reason given";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
