package dev.cltrain.opencl;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
  private static final Logger log = LoggerFactory.getLogger(JvmSignals.class);
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
      log.warn("could not read the JVM's signal handlers; OpenCL drivers may crash this JVM");
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
      log.debug("{} replaced {} of the JVM's signal handlers; restored", after, restored);
    } else if (restored < 0) {
      log.warn("could not restore the JVM's signal handlers after {}", after);
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
        log.warn("{} is not in this build; OpenCL drivers may crash this JVM unless it runs with "
            + "LD_PRELOAD=$JAVA_HOME/lib/libjsig.so", resource);
        return false;
      }
      Path dir = Files.createTempDirectory("cltrain-native");
      Path file = dir.resolve("libcltrain-jvmsignals.so");
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      System.load(file.toString());
      // the mapping stays valid after the file is gone; nothing is left in the temporary folder
      Files.delete(file);
      Files.delete(dir);
      loaded = true;
    } catch (IOException | LinkageError | SecurityException e) {
      log.warn("could not load {} ({}); OpenCL drivers may crash this JVM unless it runs with "
          + "LD_PRELOAD=$JAVA_HOME/lib/libjsig.so", resource, e.toString());
    }
    return loaded;
  }

  private static native int save0();

  private static native int restore0();
}
