package dev.cltrain.opencl;

import static org.jocl.CL.*;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_program;

/**
 * The programs this process built from source more than once, as their device binaries (CL_PROGRAM_BINARIES): a
 * later context of the same device builds the same program from its binary (clCreateProgramWithBinary), skipping
 * the compiler (PoCL: a few ms instead of 150 or more with its kernel cache warm). A binary is fetched at a
 * program's third build from source only ({@link #SOURCE_BUILDS_FIRST}): PoCL compiles every kernel of a program
 * to hand one out, seconds with its cache cold, which a program built once (a tuning candidate) or twice (a CLI
 * run's matmul.cl: the tuner's pick, then the trainer's) would pay for nothing. Only builds that succeeded are
 * counted or kept. At most {@link #PER_DEVICE} binaries are kept per device, the least recently
 * used dropped first. Thread-safe.
 */
final class ProgramBinaries {
  /** Binaries kept per device: a trainer builds one program per kernel file, and a second matmul plan at most. */
  static final int PER_DEVICE = 16;

  /** Builds from source of one program before the next one keeps its binary. */
  static final int SOURCE_BUILDS_FIRST = 2;

  /** Keys (as {@link #digest}s) of the programs built from source, remembered for at most this many. */
  private static final int SEEN = 1024;

  /**
   * What makes two builds the same program: the device (its place and what it is), the build options and the
   * exact source text compiled.
   *
   * @param device {@link #identity}'s text
   * @param options the build options
   * @param text the source text, as {@link ClProgram#assemble} made it
   */
  record Key(String device, String options, String text) {
    static Key of(ClDevice device, String options, String text) {
      return new Key(identity(device), options, text);
    }
  }

  /** The device's place, platform, name, vendor and versions: a changed driver makes another device. */
  static String identity(ClDevice device) {
    return String.join("\0", device.ref(), device.platformName(), device.name(), device.vendor(),
        device.openclVersion(), device.driverVersion());
  }

  private static final Object LOCK = new Object();
  /** By key, least recently used first. */
  private static final LinkedHashMap<Key, byte[]> BINARIES = new LinkedHashMap<>(16, 0.75f, true);
  /** How many times each key (its digest) was built from source, oldest first. */
  private static final LinkedHashMap<String, Integer> SOURCE_BUILDS = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
      return size() > SEEN;
    }
  };

  private ProgramBinaries() {}

  /** {@return the binary kept for {@code key}, or null} */
  static byte[] binary(Key key) {
    synchronized (LOCK) {
      return BINARIES.get(key);
    }
  }

  /**
   * Notes a build from source of {@code key} that succeeded.
   *
   * @return true where the same program was built from source {@link #SOURCE_BUILDS_FIRST} times before: its
   *     binary is worth keeping now
   */
  static boolean builtFromSource(Key key) {
    String digest = digest(key);
    synchronized (LOCK) {
      return SOURCE_BUILDS.merge(digest, 1, Integer::sum) > SOURCE_BUILDS_FIRST;
    }
  }

  /** Keeps {@code binary} for {@code key}, dropping the device's least recently used beyond {@link #PER_DEVICE}. */
  static void keep(Key key, byte[] binary) {
    synchronized (LOCK) {
      BINARIES.put(key, binary);
      long held = BINARIES.keySet().stream().filter(k -> k.device().equals(key.device())).count();
      for (Iterator<Key> it = BINARIES.keySet().iterator(); held > PER_DEVICE && it.hasNext(); ) {
        if (it.next().device().equals(key.device())) {
          it.remove();
          held--;
        }
      }
    }
  }

  /** Drops the binary of {@code key}, e.g. one its device refused. */
  static void drop(Key key) {
    synchronized (LOCK) {
      BINARIES.remove(key);
    }
  }

  /** {@return how many binaries are kept for {@code device}} */
  static int held(ClDevice device) {
    String identity = identity(device);
    synchronized (LOCK) {
      return (int) BINARIES.keySet().stream().filter(k -> k.device().equals(identity)).count();
    }
  }

  /** {@return {@code program}'s binary for its one device, or null where the device offers none} */
  static byte[] fetch(cl_program program) {
    try {
      long[] size = new long[1];
      clGetProgramInfo(program, CL_PROGRAM_BINARY_SIZES, Sizeof.size_t, Pointer.to(size), null);
      if (size[0] <= 0 || size[0] > Integer.MAX_VALUE) {
        return null;
      }
      byte[] bytes = new byte[(int) size[0]];
      Pointer to = Pointer.to(bytes);
      clGetProgramInfo(program, CL_PROGRAM_BINARIES, Sizeof.POINTER, Pointer.to(to), null);
      return bytes;
    } catch (CLException e) {
      return null;
    }
  }

  /** The key's SHA-256, for {@link #SOURCE_BUILDS}, which need not hold the source texts. */
  private static String digest(Key key) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String part : new String[] {key.device(), key.options(), key.text()}) {
        sha.update(part.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      return java.util.HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
