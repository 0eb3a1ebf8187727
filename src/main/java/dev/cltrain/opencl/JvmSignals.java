package dev.cltrain.opencl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the JVM's own handlers of SIGSEGV, SIGBUS, SIGILL and SIGFPE in force while OpenCL drivers run in this
 * process, so that cltrain is safe in any JVM however it was started (plain {@code java -jar}, an IDE, a test
 * runner, an application server), with no {@code LD_PRELOAD} and no environment variable.
 *
 * <p>Why: HotSpot raises SIGSEGV on purpose (safepoint polls, implicit null checks) and handles it itself.
 * PoCL's LLVM replaces the handlers of those four signals with its crash handlers, flagged {@code SA_RESETHAND},
 * when the platform loads and when it compiles kernels. When two Java threads then fault at once, as they do
 * when they meet a safepoint together, the first delivery resets the action to the default and the second
 * kills the JVM with no message and no hs_err file.
 *
 * <p>How: {@link #save()} records the actions in force before the first OpenCL call (the JVM's), and
 * {@link #restore(String)} writes them back after every driver call that may install handlers: platform discovery,
 * context creation, program builds and each kernel's first launch (PoCL compiles the work-group function
 * then). LLVM counts its handlers as installed and does not install them again; the driver's handlers never
 * see a signal. The two calls are a small JNI library ({@code src/main/native/jvm_signals.c}, built into the
 * jar for Linux) that uses the {@code rt_sigaction} system call directly, so it also works under HotSpot's
 * {@code libjsig} (whose {@code sigaction} would record our write as a handler to chain to).
 *
 * <p>Where the library is absent (not Linux, or built without a C compiler), nothing is changed and a
 * warning is logged once; {@code LD_PRELOAD=$JAVA_HOME/lib/libjsig.so} is then the remedy.
 *
 * <p>Thread-safe: the methods synchronise on the class.
 */
public final class JvmSignals {
  /** The logger, made on first use: starting slf4j costs a run that never logs here 10 ms or more. */
  private static final class Log {
    static final Logger LOG = LoggerFactory.getLogger(JvmSignals.class);
  }
  private static boolean loaded;
  private static boolean tried;
  private static boolean saved;

  private JvmSignals() {}

  /** Records the signal actions in force now as the JVM's; only the first call does anything. */
  public static synchronized void save() {
    if (saved || !load()) {
      return;
    }
    if (save0() != 0) {
      Log.LOG.warn("could not read the JVM's signal handlers; OpenCL drivers may crash this JVM");
      return;
    }
    saved = true;
  }

  /**
   * Puts back the actions {@link #save()} recorded wherever a driver replaced them.
   *
   * @param after the driver call just made, for the debug log
   */
  public static synchronized void restore(String after) {
    if (!saved) {
      return;
    }
    int restored = restore0();
    if (restored > 0) {
      Log.LOG.debug("{} replaced {} of the JVM's signal handlers; restored", after, restored);
    } else if (restored < 0) {
      Log.LOG.warn("could not restore the JVM's signal handlers after {}", after);
    }
  }

  /**
   * Whether the native library is loaded, loading it on the first call.
   *
   * @return false off Linux, when the jar was built without the library, or when it fails to load
   */
  public static synchronized boolean available() {
    return load();
  }

  private static boolean load() {
    if (tried) {
      return loaded;
    }
    tried = true;
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    if (!os.contains("linux")) {
      return false;
    }
    String resource = "/native/linux-" + System.getProperty("os.arch") + "/libcltrain-jvmsignals.so";
    try (InputStream in = JvmSignals.class.getResourceAsStream(resource)) {
      if (in == null) {
        Log.LOG.warn("{} is not in this build; OpenCL drivers may crash this JVM unless it runs with "
            + "LD_PRELOAD=$JAVA_HOME/lib/libjsig.so", resource);
        return false;
      }
      byte[] library = in.readAllBytes();
      Path cached = cachedCopy(library);
      if (cached != null) {
        System.load(cached.toString());
      } else {
        Path dir = Files.createTempDirectory("cltrain-native");
        Path file = dir.resolve("libcltrain-jvmsignals.so");
        Files.write(file, library);
        System.load(file.toString());
        // the mapping stays valid after the file is gone; nothing is left in the temporary folder
        Files.delete(file);
        Files.delete(dir);
      }
      loaded = true;
    } catch (IOException | LinkageError | SecurityException e) {
      Log.LOG.warn("could not load {} ({}); OpenCL drivers may crash this JVM unless it runs with "
          + "LD_PRELOAD=$JAVA_HOME/lib/libjsig.so", resource, e.toString());
    }
    return loaded;
  }

  /**
   * The library as a file to load: {@code libcltrain-jvmsignals-<crc32>-<size>.so} in cltrain's cache folder
   * (the user's own), written once (under a temporary name, then moved into place) and reused by later runs
   * while its bytes are the jar's: each run reads the copy and compares it whole before loading it, and
   * rewrites it when it differs, because a damaged copy of the right size would crash every run (SIGILL) or
   * fail to load and leave the JVM unprotected. The cache spares each run a temporary folder, whose random
   * name starts Java's SecureRandom (up to 17 ms).
   *
   * @return the file, or null where the cache folder cannot be written (the caller then uses a temporary copy)
   */
  private static Path cachedCopy(byte[] library) {
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(library);
    String name = String.format(Locale.ROOT, "libcltrain-jvmsignals-%08x-%d.so", crc.getValue(), library.length);
    try {
      Path folder = MatmulTuner.cacheFolder();
      Path file = folder.resolve(name);
      if (!Files.isRegularFile(file) || Files.size(file) != library.length
          || !Arrays.equals(Files.readAllBytes(file), library)) {
        Files.createDirectories(folder);
        Path part = folder.resolve(name + "." + ProcessHandle.current().pid() + ".part");
        Files.write(part, library);
        Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      }
      return file;
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return null;
    }
  }

  /**
   * Runs {@code call} with file descriptor 2 pointed at a temporary file and returns what was written there:
   * OpenCL compilers print diagnostics ("12 warnings generated.", "MESA: warning: ...") to descriptor 2 during a
   * build, which must not reach the user's terminal. Where the native library is absent the call runs as is.
   *
   * @param call the driver call, e.g. a clBuildProgram
   * @return the captured text (anything Java wrote to System.err meanwhile included), empty when nothing was
   *     written or nothing could be captured
   */
  public static synchronized String captureStderr(Runnable call) {
    if (!load()) {
      call.run();
      return "";
    }
    System.err.flush();
    boolean capturing = captureStart0() == 0;
    byte[] captured = null;
    try {
      call.run();
    } finally {
      if (capturing) {
        captured = captureEnd0();
      }
    }
    return captured == null ? "" : new String(captured, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static native int captureStart0();

  private static native byte[] captureEnd0();

  private static native int save0();

  private static native int restore0();
}
