package dev.cltrain.opencl;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.cltrain.testing.OpenClDevices;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The JNI helper that keeps the JVM's signal handlers is in the build on Linux (without it, PoCL's handlers can
 * kill the JVM: PlainJavaJarIT shows it). Under CI=true its absence is a failure, elsewhere (a machine without a
 * C compiler at build time) the test is skipped with the reason.
 */
class JvmSignalsTest {
  @Test
  void theNativeHelperLoadsOnLinux() {
    assumeTrue(System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux"), "not Linux");
    boolean available = JvmSignals.available();
    if (!OpenClDevices.ci()) {
      assumeTrue(available, "the jar was built without a C compiler (apt-get install gcc)");
    }
    assertTrue(available, "native/linux-" + System.getProperty("os.arch")
        + "/libcltrain-jvmsignals.so must be in the build (CI installs gcc)");
  }
}
